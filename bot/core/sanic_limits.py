"""Request limits for our Sanic servers (the Rasa server, bot/rasa/patches.py, and the action server,
bot/services/action_server.py), applied before any handler reads the body.

- `REQUEST_MAX_SIZE`: Sanic refuses a larger body with 413 while it is still arriving (from the
  Content-Length header, or as chunks add up), instead of buffering Sanic's default 100 MB.
- Sanic's own refusals (413, 404, 405 ...) are JSON, not an HTML page.
- A `Content-Encoding` other than `identity` gets 415: no service of ours takes compressed bodies,
  so none can be handed a decompression bomb.
- A JSON body nested deeper than MAX_JSON_DEPTH gets 400 before anything parses it: Python's json
  raises RecursionError (a 500) near 1,000 levels, and no message, event or tracker of ours comes near
  MAX_JSON_DEPTH (bot/core/http_limits.py counts it, outside strings, in linear time).
Every refusal is a JSON body with `error` and `message`.
"""

from typing import Any, Mapping, Optional

from sanic import response
from sanic.response import HTTPResponse

from bot.core.http_limits import MAX_JSON_DEPTH, json_depth  # the same count as our aiohttp services

IDENTITY = ("", "identity")

REFUSALS = {  # the same answers as bot/core/http_limits.py gives on the aiohttp services
    "body_too_large": (413, "the request body may have at most {limit} bytes"),
    "unsupported_content_encoding": (415, "request bodies must not be compressed (Content-Encoding)"),
    "invalid_input": (400, f"the JSON body nests more than {MAX_JSON_DEPTH} levels deep"),
}


def looks_like_json(body: bytes) -> bool:
    stripped = body.lstrip(b" \t\r\n\xef\xbb\xbf")
    return stripped[:1] in (b"{", b"[")


def problem(headers: Mapping[str, Any], body: Optional[bytes]) -> Optional[str]:
    """Why a request is refused before its handler (a key of REFUSALS), or None (pure)."""
    encoding = next((value for name, value in headers.items() if str(name).lower() == "content-encoding"), "")
    if str(encoding or "").strip().lower() not in IDENTITY:
        return "unsupported_content_encoding"
    if body and looks_like_json(body) and json_depth(body) > MAX_JSON_DEPTH:
        return "invalid_input"
    return None


def refusal(name: str, limit: int = 0) -> HTTPResponse:
    status, message = REFUSALS[name]
    return response.json({"error": name, "message": message.format(limit=limit)}, status=status)


def install(app: Any, max_body_bytes: int) -> None:
    """Set the body limit on `app` and refuse encoded or too deeply nested bodies (first middleware)."""
    app.config.REQUEST_MAX_SIZE = max_body_bytes
    app.config.FALLBACK_ERROR_FORMAT = "json"  # Sanic's own 4xx (413, 404 ...) as JSON with a message

    async def limits(request: Any) -> Optional[HTTPResponse]:
        # Sanic 21.12 runs the request middleware again for the answer to its own PayloadTooLarge,
        # with an empty body: say why here, before a later middleware judges that empty body.
        stream = request.stream
        if stream is not None and getattr(stream, "request_bytes", 0) > getattr(
            stream, "request_max_size", max_body_bytes
        ):
            return refusal("body_too_large", max_body_bytes)
        found = problem(request.headers, request.body)
        return refusal(found) if found else None

    app.register_middleware(limits, "request")
    # Run before every other request middleware (authentication, channels' own checks).
    middleware = app.request_middleware
    if hasattr(middleware, "rotate") and len(middleware) > 1 and middleware[-1] is limits:
        middleware.rotate(1)
