"""Web chat session ids, assigned and signed by the server (pure).

A session id is `<random>.<HMAC-SHA256 of it>`: the server hands it out and only accepts back ids it
signed, so one visitor can never pick, guess or forge another's conversation.
"""

import hashlib
import hmac
import secrets
from typing import Optional

PREFIX = "web:"


def new_session(secret: str) -> str:
    token = secrets.token_hex(16)
    return f"{token}.{_signature(secret, token)}"


def _signature(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]


def sender_for(secret: str, session_id: object) -> Optional[str]:
    """The conversation id of a session id this server signed, or None."""
    if not isinstance(session_id, str) or session_id.count(".") != 1 or len(session_id) > 80:
        return None
    token, signature = session_id.split(".")
    if len(token) != 32 or not hmac.compare_digest(signature, _signature(secret, token)):
        return None
    return PREFIX + token
