"""App factory of the operator backend: `create_app(settings)`."""

from typing import AsyncIterator, Optional

from aiohttp import web

from bot.core.clock import Clock, system_clock
from bot.core.db import create_database
from bot.core.http_limits import request_limits
from bot.core.web import Handler, errors_middleware, has_bearer, unauthorized
from bot.services.operator.offer_routes import offer_routes
from bot.services.operator.privacy import privacy_routes
from bot.services.operator.requests import DB_KEY
from bot.services.operator.routes import routes
from bot.services.operator.settings import BackendSettings
from bot.services.operator.tables import metadata

SETTINGS_KEY = web.AppKey("settings", BackendSettings)
PUBLIC_PATHS = frozenset({"/health"})


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    if not has_bearer(request, request.app[SETTINGS_KEY].api_token):
        return unauthorized()
    return await handler(request)


def create_app(settings: BackendSettings, clock: Optional[Clock] = None) -> web.Application:
    # Body limits first: nothing is buffered or parsed beyond them (bot/core/http_limits.py).
    app = web.Application(middlewares=[request_limits, errors_middleware, auth_middleware], client_max_size=64 * 1024)
    app[SETTINGS_KEY] = settings

    async def database_context(app: web.Application) -> AsyncIterator[None]:
        db = create_database(settings.database_url, clock or system_clock)
        await db.create_schema(metadata)
        app[DB_KEY] = db
        yield
        await db.close()

    app.cleanup_ctx.append(database_context)
    app.add_routes(routes)
    app.add_routes(offer_routes)  # usage, plans, packs, 账单解读, disputes
    app.add_routes(privacy_routes)  # per-customer export and erasure (PIPL)
    return app
