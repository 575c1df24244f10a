"""aiohttp pieces every service of ours uses: the error middleware and the Bearer token check."""

import hmac
import logging
from typing import Awaitable, Callable

from aiohttp import web

from bot.core.errors import ApiError

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors become their 4xx; anything else a 500 that reveals nothing of the request."""
    try:
        return await handler(request)
    except ApiError as error:
        return web.json_response(error.as_json(), status=error.status)
    except web.HTTPException as error:
        if error.status >= 400:
            return web.json_response(
                {"error": error.reason.lower().replace(" ", "_"), "message": error.reason}, status=error.status
            )
        raise
    except Exception:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return web.json_response({"error": "internal_error", "message": "internal error"}, status=500)


def has_bearer(request: web.Request, expected: str) -> bool:
    """The request carries `Authorization: Bearer <expected>` (compared in constant time)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme == "Bearer" and bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def unauthorized() -> web.Response:
    return web.json_response({"error": "unauthorized", "message": "a valid Bearer token is required"}, status=401)
