"""App factory of the web site that carries the chat widget: `create_app(settings)`.

It serves the page and the widget (static/), the socket.io browser client from web/node_modules
(installed by the setup, never a CDN), and /config.js telling the widget where Rasa's socket.io is.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from aiohttp import web

STATIC = Path(__file__).resolve().parent / "static"
ROOT = Path(__file__).resolve().parents[2]
SOCKET_IO_CLIENT = ROOT / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


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
    return SiteSettings(socket_url=env.get("SITE_SOCKET_URL", "http://127.0.0.1:5005"),
                        host=env.get("SITE_HOST", "127.0.0.1"), port=int(port))


@web.middleware
async def security_headers(request: web.Request, handler) -> web.StreamResponse:  # type: ignore[no-untyped-def]
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def create_app(settings: SiteSettings) -> web.Application:
    if not SOCKET_IO_CLIENT.exists():
        raise FileNotFoundError(f"{SOCKET_IO_CLIENT} is missing: run scripts/setup.sh (it runs npm ci in web/)")
    config = "window.TELEBOT_CONFIG = " + json.dumps({"socketUrl": settings.socket_url, "socketPath": "/socket.io/"}) + ";\n"

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def config_js(request: web.Request) -> web.Response:
        return web.Response(text=config, content_type="application/javascript")

    async def socket_io_client(request: web.Request) -> web.FileResponse:
        return web.FileResponse(SOCKET_IO_CLIENT, headers={"Content-Type": "application/javascript"})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[security_headers])
    app.router.add_get("/", index)
    app.router.add_get("/config.js", config_js)
    app.router.add_get("/vendor/socket.io.min.js", socket_io_client)
    app.router.add_get("/health", health)
    app.router.add_static("/static/", STATIC)
    return app
