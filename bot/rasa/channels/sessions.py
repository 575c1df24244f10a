"""Web chat session ids, assigned and signed by the server (pure).

A session id is `<random>.<HMAC-SHA256 of it>`: the server hands it out and only accepts back ids it
signed, so one visitor can never pick, guess or forge another's conversation.
"""

import hashlib
import hmac
import secrets
from typing import Optional, Tuple

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


def session_for(secret: str, kept: object) -> Tuple[str, str]:
    """(session id, conversation id): the session id the browser kept if this server signed it,
    else a new one."""
    sender_id = sender_for(secret, kept)
    if isinstance(kept, str) and sender_id is not None:
        return kept, sender_id
    session_id = new_session(secret)
    return session_id, PREFIX + session_id.split(".")[0]
