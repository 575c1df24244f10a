"""App factory of the operator backend: `create_app(settings)`."""

import hmac
import logging
from typing import AsyncIterator, Awaitable, Callable, Optional

from aiohttp import web

from bot.backend.clock import Clock, system_clock
from bot.backend.db import create_database
from bot.backend.errors import BackendError
from bot.backend.privacy import privacy_routes
from bot.backend.routes import DB_KEY, routes
from bot.backend.settings import BackendSettings
from bot.http_limits import request_limits

logger = logging.getLogger(__name__)

SETTINGS_KEY = web.AppKey("settings", BackendSettings)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC_PATHS = frozenset({"/health"})


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors become their 4xx; anything else a 500 that reveals nothing of the request."""
    try:
        return await handler(request)
    except BackendError as error:
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


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    expected = request.app[SETTINGS_KEY].api_token
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        return web.json_response(
            {"error": "unauthorized", "message": "a valid Bearer token is required"}, status=401
        )
    return await handler(request)


def create_app(settings: BackendSettings, clock: Optional[Clock] = None) -> web.Application:
    # Body limits first: nothing is buffered or parsed beyond them (bot/http_limits.py).
    app = web.Application(middlewares=[request_limits, errors_middleware, auth_middleware], client_max_size=64 * 1024)
    app[SETTINGS_KEY] = settings

    async def database_context(app: web.Application) -> AsyncIterator[None]:
        db = create_database(settings.database_url, clock or system_clock)
        await db.create_schema()
        app[DB_KEY] = db
        yield
        await db.close()

    app.cleanup_ctx.append(database_context)
    app.add_routes(routes)
    app.add_routes(privacy_routes)  # per-customer export and erasure (PIPL)
    return app
