"""`python -m bot.services.action_server`: rasa-sdk's action server, closed to everyone but our Rasa servers.

Differences from `python -m rasa_sdk`:
- every request but /health needs the shared secret in `X-Action-Token` (ACTION_SERVER_TOKEN; the
  Rasa servers send it from endpoints.yml), compared in constant time; otherwise 401;
- it binds to 127.0.0.1 unless SANIC_HOST says otherwise, and sends no CORS headers (browsers have
  no business here);
- a body that is not an action call gets a 400 (rasa-sdk answers some of them with a 500), and so
  does JSON nested too deeply; bodies above MAX_BODY_BYTES get 413 before they are buffered, and a
  compressed body (Content-Encoding) gets 415 (bot/core/sanic_limits.py);
- an unexpected error answers `{"error": "internal_error"}`: rasa-sdk's own handler echoes the
  whole request body, which holds the customer's messages, slots and service password;
- personal data is masked in every log record (bot/core/log_privacy.py).
"""

import hmac
import logging
import os
import sys
from typing import Optional

from sanic import Sanic, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import sanic_limits

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})
# Rasa sends the whole tracker (every event of the conversation session) with each action call. A
# turn adds about 1-2 KB of events (the message's parse data with its intent ranking, slots, the
# bot's replies): 16 MiB holds several thousand turns, far beyond a session of a person typing at
# most 30 messages a minute (bot/rasa/channels/guard.py), and still bounds what one request can buffer.
MAX_BODY_BYTES = 16 * 1024 * 1024


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as create_sdk_app

    if len(token) < 16:
        raise ValueError("the action server's token must have at least 16 characters")
    app = create_sdk_app(actions_package, cors_origins="")
    sanic_limits.install(app, MAX_BODY_BYTES)

    @app.middleware("request")
    async def authenticate(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json(
                {"error": "unauthorized", "message": f"a valid {TOKEN_HEADER} header is required"}, status=401
            )
        if request.method == "POST" and request.path == "/webhook" and not _is_action_call(request):
            return response.json(
                {"error": "invalid_input", "message": "the body must be a JSON object with next_action and tracker"},
                status=400,
            )
        return None

    @app.exception(Exception)
    async def internal_error(request: Request, exception: Exception) -> HTTPResponse:
        status = getattr(exception, "status_code", 500)
        if isinstance(status, int) and 400 <= status < 500:  # Sanic's own: not found, bad JSON, too large
            return response.json({"error": type(exception).__name__, "message": str(exception)[:200]}, status=status)
        logger.error("action server error on %s %s", request.method, request.path, exc_info=exception)
        return response.json({"error": "internal_error"}, status=500)

    return app


def _is_action_call(request: Request) -> bool:
    try:
        call = request.json  # Sanic's parse, kept on the request: rasa-sdk's handler reads the same
    except (InvalidUsage, ValueError, RecursionError):
        return False
    return (
        isinstance(call, dict)
        and isinstance(call.get("next_action"), str)
        and isinstance(call.get("tracker"), dict)
        and isinstance(call.get("domain", {}), dict)
    )


def main() -> None:
    from rasa_sdk import utils

    from bot.core import log_privacy

    log_privacy.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    try:
        app = create_app(token, os.environ.get("ACTION_PACKAGE", "actions"))
    except ValueError as error:
        sys.exit(f"action server: {error} (set ACTION_SERVER_TOKEN)")
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    port = int(os.environ.get("ACTION_PORT", "5055"))
    logger.info("action server on http://%s:%d", host, port)
    app.run(host, port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
