"""App factory of the web site that carries the chat widget: `create_app(settings)`.

It serves the page and the widget (static/), the socket.io browser client from web/node_modules
(installed by the setup, never a CDN), and /config.js telling the widget where Rasa's socket.io is.

Every response carries a Content-Security-Policy allowing only the site's own scripts and styles
(no inline ones: the page's style is static/site.css) and connections to itself and to Rasa's
socket.io at `socket_url` (polling over http(s), the WebSocket over ws(s)); the page may not be
framed. Request bodies are limited as in every service of ours (bot/core/http_limits.py): the site takes none.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Mapping, Optional
from urllib.parse import urlsplit

from aiohttp import web

from bot.core.http_limits import request_limits
from bot.core.paths import PROJECT_ROOT

STATIC = Path(__file__).resolve().parent / "static"
SOCKET_IO_CLIENT = PROJECT_ROOT / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


@dataclass(frozen=True)
class SiteSettings:
    socket_url: str  # Rasa's socket.io, as the browser reaches it
    host: str = "127.0.0.1"
    port: int = 8080


def load_settings(environ: Optional[Mapping[str, str]] = None) -> SiteSettings:
    env = os.environ if environ is None else environ
    port = env.get("SITE_PORT", "8080")
    if not port.isdigit():
        raise ValueError(f"SITE_PORT must be a port number, not {port!r}")
    return SiteSettings(
        socket_url=env.get("SITE_SOCKET_URL", "http://127.0.0.1:5005"),
        host=env.get("SITE_HOST", "127.0.0.1"),
        port=int(port),
    )


def content_security_policy(socket_url: str) -> str:
    """The page's CSP: its own files, and Rasa's socket.io (both schemes of its origin) to connect to."""
    parts = urlsplit(socket_url)
    connect = "'self'"
    if parts.scheme in ("http", "https") and parts.netloc:
        socket_scheme = "wss" if parts.scheme == "https" else "ws"
        connect += f" {parts.scheme}://{parts.netloc} {socket_scheme}://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
        f"connect-src {connect}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def security_headers(socket_url: str) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """An `on_response_prepare` hook: every response (pages, files, errors) gets the headers."""
    policy = content_security_policy(socket_url)

    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"

    return add_headers


def create_app(settings: SiteSettings) -> web.Application:
    if not SOCKET_IO_CLIENT.exists():
        raise FileNotFoundError(f"{SOCKET_IO_CLIENT} is missing: run scripts/setup.sh (it runs npm ci in web/)")
    config = (
        "window.TELEBOT_CONFIG = " + json.dumps({"socketUrl": settings.socket_url, "socketPath": "/socket.io/"}) + ";\n"
    )

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def config_js(request: web.Request) -> web.Response:
        return web.Response(text=config, content_type="application/javascript")

    async def socket_io_client(request: web.Request) -> web.FileResponse:
        return web.FileResponse(SOCKET_IO_CLIENT, headers={"Content-Type": "application/javascript"})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[request_limits], client_max_size=16 * 1024)
    app.on_response_prepare.append(security_headers(settings.socket_url))  # type: ignore[arg-type]  # aiohttp 3.9's Signal annotation predates aiosignal 1.4's generics
    app.router.add_get("/", index)
    app.router.add_get("/config.js", config_js)
    app.router.add_get("/vendor/socket.io.min.js", socket_io_client)
    app.router.add_get("/health", health)
    app.router.add_static("/static/", STATIC)
    return app
