"""Rasa's HTTP API token in a header, compared in constant time (installed by bot/rasa/server.py).

Rasa 3.6 (`rasa.server.requires_auth`) reads the admin token from the query string (`?token=...`),
where every access log and proxy log keeps it, and compares it with `==`. Here the token is read from
`Authorization: Bearer <token>` only and compared with `hmac.compare_digest`; a request that puts a
`token` in its query string is refused (401, with the reason), so that no client of ours keeps
sending it where it is logged. Without a token Rasa's own behaviour stays (JWT when configured).
"""

import hmac
from functools import wraps
from http import HTTPStatus
from typing import Any, Callable, Optional

_NEVER = object()  # a "token" no query string equals: Rasa's own check then only tries JWT
_installed = False

QUERY_REFUSED = "The token goes in the header 'Authorization: Bearer <token>', never in the URL."


def bearer(header: Optional[str]) -> str:
    """`Bearer abc` -> `abc`; anything else -> ""."""
    scheme, _, value = (header or "").strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def token_matches(header: Optional[str], token: str) -> bool:
    given = bearer(header)
    return bool(given) and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8", "replace"))


def header_auth(original: Callable[..., Any]) -> Callable[..., Any]:
    """`requires_auth(app, token)` with the token taken from the Authorization header."""

    @wraps(original)
    def requires_auth(app: Any, token: Optional[str] = None) -> Callable[[Any], Any]:
        if token is None or token is _NEVER:  # no token; or an inner wrapper's JWT-only call
            return original(app, token)

        def decorator(f: Any) -> Any:
            otherwise = original(app, _NEVER)(f)  # JWT when configured, else Rasa's 401

            @wraps(f)
            async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
                from rasa.server import ErrorResponse

                if "token" in request.args:
                    raise ErrorResponse(HTTPStatus.UNAUTHORIZED, "NotAuthenticated", QUERY_REFUSED)
                if token_matches(request.headers.get("Authorization"), token):
                    result = f(request, *args, **kwargs)
                    return await result if hasattr(result, "__await__") else result
                return await otherwise(request, *args, **kwargs)

            return decorated

        return decorator

    return requires_auth


def install() -> None:
    """Before Rasa builds its app (`rasa.server.create_app` looks `requires_auth` up when called)."""
    global _installed
    if _installed:
        return
    import rasa.server

    rasa.server.requires_auth = header_auth(rasa.server.requires_auth)
    _installed = True
