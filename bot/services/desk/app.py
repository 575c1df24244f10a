"""App factory of the handoff service and agent console: `create_app(settings)`."""

import asyncio
import contextlib
from typing import AsyncIterator, Optional

from aiohttp import web

from bot.clients.base import Endpoint
from bot.clients.operator import OperatorClient
from bot.clients.rasa import RasaClient
from bot.core.clock import Clock, system_clock
from bot.core.db import create_database, create_reader
from bot.core.http_limits import request_limits
from bot.core.web import Handler, errors_middleware, has_bearer, unauthorized
from bot.services.desk import agents
from bot.services.desk.console_security import console_headers, origin_middleware
from bot.services.desk.hub import Hub
from bot.services.desk.retention import retention_routes
from bot.services.desk.routes import AGENT, COOKIE, SERVICE_KEY, STATIC, console_routes, service_routes
from bot.services.desk.service import HandoffService
from bot.services.desk.settings import HandoffSettings
from bot.services.desk.tables import metadata

PUBLIC = frozenset({"/health", "/login", "/api/login"})


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The service API needs the Bearer token; the console a signed-in agent (except its login)."""
    service = request.app[SERVICE_KEY]
    if request.path in PUBLIC or request.path.startswith("/static/"):
        return await handler(request)
    if request.path.startswith("/v1/"):
        if not has_bearer(request, service.settings.service_token):
            return unauthorized()
        return await handler(request)
    request[AGENT] = await agents.agent_for_session(service.db, request.cookies.get(COOKIE, ""))
    if request[AGENT] is None and request.path not in ("/", "/dashboard"):  # pages send to the login page
        return web.json_response({"error": "unauthorized", "message": "sign in first"}, status=401)
    return await handler(request)


def create_app(settings: HandoffSettings, clock: Optional[Clock] = None, retry: bool = True) -> web.Application:
    # Body limits first (bot/core/http_limits.py); then the Origin check of the console's browser requests,
    # before anything is done with them (bot/services/desk/console_security.py).
    app = web.Application(
        middlewares=[
            request_limits,
            errors_middleware,
            origin_middleware(settings.console_origins, settings.trusted_proxies),
            auth_middleware,
        ],
        client_max_size=256 * 1024,
    )
    app.on_response_prepare.append(console_headers(settings.trusted_proxies))  # type: ignore[arg-type]  # aiohttp 3.9's Signal annotation predates aiosignal 1.4's generics

    async def service_context(app: web.Application) -> AsyncIterator[None]:
        db = create_database(settings.database_url, clock or system_clock)
        await db.create_schema(metadata)
        hub = Hub()
        rasa = RasaClient(Endpoint("Rasa", settings.rasa_url, settings.rasa_token, timeout_s=15))
        operator = (
            OperatorClient(Endpoint("operator backend", settings.operator_url, settings.operator_token))
            if settings.operator_url
            else None
        )
        tracker = create_reader(settings.tracker_url, clock or system_clock) if settings.tracker_url else None
        service = HandoffService(settings, db, rasa, hub, operator, tracker=tracker)
        app[SERVICE_KEY] = service
        retrying = asyncio.create_task(service.retry_forever()) if retry else None
        yield
        if retrying is not None:
            retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retrying
        await hub.close_all()
        await rasa.close()
        if operator is not None:
            await operator.close()
        if tracker is not None:
            await tracker.close()
        await db.close()

    app.cleanup_ctx.append(service_context)
    app.add_routes(service_routes)
    app.add_routes(console_routes)  # before the static folder: /static/vendor/ is served from web/node_modules
    app.add_routes(retention_routes)  # retention purge, per-customer export and erasure (PIPL)
    app.router.add_static("/static/", STATIC)
    return app
