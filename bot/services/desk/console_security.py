"""The agent console's defences as a browser sees them (pure checks, an aiohttp middleware and a
response hook).

- Origin: the site on :8080 and the console on :8090 are the same *site*, so a SameSite=Strict
  cookie is still sent with a request a page of the site makes to the console. Every WebSocket
  upgrade and every state-changing request (POST, PUT, PATCH, DELETE) of the console must come with
  an `Origin` the console allows: the configured list (HANDOFF_CONSOLE_ORIGINS) or, when none is
  configured, the console's own origin (the scheme and the Host the browser asked for; behind a
  proxy that rewrites Host, list the public origin instead). Browsers
  always send Origin on these requests: a missing one is refused too. The service API (/v1/) is
  called by our processes with a Bearer token, not by browsers: not checked here.
- Headers on every console response: a Content-Security-Policy allowing only the console's own
  files (static/: no inline script or style), X-Frame-Options DENY, nosniff, no Referer; the
  files themselves revalidated on every load (Cache-Control: no-cache), scripts as text/javascript.
- HTTPS: `is_https` (request.secure, or X-Forwarded-Proto from a trusted proxy) decides the
  session cookie's Secure flag; `client_address` is the address the login throttle counts.
"""

import re
from typing import Awaitable, Callable, Collection

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SERVICE_API = "/v1/"
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def _trusted(request: web.Request, trusted_proxies: Collection[str]) -> bool:
    return bool(trusted_proxies) and request.remote in trusted_proxies


def is_https(request: web.Request, trusted_proxies: Collection[str]) -> bool:
    if request.secure:
        return True
    if not _trusted(request, trusted_proxies):
        return False
    return request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https"


def client_address(request: web.Request, trusted_proxies: Collection[str]) -> str:
    """The peer's address; behind a trusted proxy, the address that proxy saw (the last one it added)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if _trusted(request, trusted_proxies) and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.remote or "unknown"


def own_origin(request: web.Request, trusted_proxies: Collection[str]) -> str:
    scheme = "https" if is_https(request, trusted_proxies) else "http"
    return f"{scheme}://{request.host}".lower()


def origin_allowed(
    origin: str, request: web.Request, allowed: Collection[str], trusted_proxies: Collection[str]
) -> bool:
    origin = origin.strip().rstrip("/").lower()
    if allowed:
        return origin in {item.rstrip("/").lower() for item in allowed}
    return origin == own_origin(request, trusted_proxies)


def origin_middleware(allowed: Collection[str], trusted_proxies: Collection[str]) -> Callable:
    @web.middleware
    async def check_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(SERVICE_API):
            return await handler(request)
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if request.method in STATE_CHANGING or upgrade:
            origin = request.headers.get("Origin")
            if origin is None:
                return web.json_response(
                    {
                        "error": "origin_required",
                        "message": "a console request must come from the console's page (Origin)",
                    },
                    status=403,
                )
            if not origin_allowed(origin, request, allowed, trusted_proxies):
                return web.json_response(
                    {
                        "error": "origin_not_allowed",
                        "message": "requests from this origin are not accepted by the console",
                    },
                    status=403,
                )
        return await handler(request)

    return check_origin


def content_security_policy(connect: str) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {connect}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def console_headers(trusted_proxies: Collection[str]) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """An `on_response_prepare` hook: every response (pages, files, API, errors, the WebSocket
    handshake) gets the headers. connect-src names the console's WebSocket URL besides 'self'
    (older browsers do not count ws: as 'self')."""

    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        connect = "'self'"
        if _HOST.match(request.host or ""):
            connect += f" {'wss' if is_https(request, trusted_proxies) else 'ws'}://{request.host}"
        response.headers["Content-Security-Policy"] = content_security_policy(connect)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path.startswith("/static/") and response.status in (200, 304):
            # The console is ES modules (static/console/): the browser asks again for every file
            # (answered 304 if unchanged), so one page never runs modules of two releases.
            response.headers["Cache-Control"] = "no-cache"
            if request.path.endswith(".js"):
                # The one type every browser runs as a module under nosniff (RFC 9239).
                response.headers["Content-Type"] = "text/javascript; charset=utf-8"

    return add_headers
