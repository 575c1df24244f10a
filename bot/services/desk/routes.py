"""HTTP routes: the service API (bot and Rasa, Bearer token) and the console API (agents, cookie).

What a customer said reaches the database masked (bot/core/privacy.py): the transcript, context and
phone given at handoff here, relayed messages in HandoffService.relay_from_customer.
"""

from pathlib import Path
from typing import Any, Dict, Optional

from aiohttp import WSMsgType, web

from bot.core.errors import InvalidInput
from bot.core.privacy import mask_personal_data, mask_personal_values
from bot.services.desk import agents, cases, login_throttle, pending_tickets
from bot.services.desk.console_security import client_address, is_https
from bot.services.desk.service import HandoffService
from bot.services.desk.suggestions import suggestion

STATIC = Path(__file__).resolve().parent / "static"
SERVICE_KEY = web.AppKey("service", HandoffService)
AGENT = "agent"  # request key of the signed-in agent
COOKIE = "agent_session"
MAX_REPLY = 1000

service_routes = web.RouteTableDef()
console_routes = web.RouteTableDef()


def _service(request: web.Request) -> HandoffService:
    return request.app[SERVICE_KEY]


async def _body(request: web.Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, RecursionError):
        raise InvalidInput("the body must be JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return body


def _text(value: Any, field: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise InvalidInput(
            f"{field} must be a non-empty string of at most {max_length} characters", details={"field": field}
        )
    return value.strip()


def _optional_text(value: Any, field: str, max_length: int) -> Optional[str]:
    return None if value is None else _text(value, field, max_length)


def _case_id(request: web.Request) -> int:
    text = request.match_info["case_id"]
    if not text.isdigit():
        raise InvalidInput("case_id must be a number", details={"field": "case_id"})
    return int(text)


# -- service API (the bot's actions and Rasa's channels) ----------------------------------------


@service_routes.get("/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@service_routes.post("/v1/cases")
async def create_case(request: web.Request) -> web.Response:
    body = await _body(request)
    service = _service(request)
    reason = body.get("reason")
    if reason not in cases.REASONS:
        raise InvalidInput("unknown reason", details={"field": "reason"})
    transcript = body.get("transcript") or []
    if not isinstance(transcript, list) or any(
        not isinstance(item, dict) or item.get("role") not in cases.ROLES or not isinstance(item.get("text"), str)
        for item in transcript
    ):
        raise InvalidInput("transcript must be a list of {role, text}", details={"field": "transcript"})
    context = body.get("context") or {}
    if not isinstance(context, dict):
        raise InvalidInput("context must be an object", details={"field": "context"})
    sender_id = _text(body.get("sender_id"), "sender_id", 128)
    existing = await cases.open_case_for(service.db, sender_id)
    why_not = service.availability() if existing is None else None
    if why_not:
        return web.json_response({"status": "unavailable", "why": why_not})
    masked_phone = _optional_text(body.get("masked_phone"), "masked_phone", 16)
    case = await cases.create(
        service.db,
        sender_id=sender_id,
        channel=_text(body.get("channel"), "channel", 32),
        masked_phone=mask_personal_data(masked_phone) if masked_phone else None,
        verified=bool(body.get("verified")),
        reason=reason,
        context=mask_personal_values(context),
        transcript=[{**item, "text": mask_personal_data(item["text"])} for item in transcript[-200:]],
    )
    await service.refresh()
    position = await cases.position(service.db, case) if case["status"] == "queued" else 0
    return web.json_response(
        {
            "status": case["status"],
            "case": case,
            "position": position,
            "wait_minutes": service.expected_wait(position) if position else 0,
        },
        status=201,
    )


@service_routes.post("/v1/relay")
async def relay(request: web.Request) -> web.Response:
    """A customer's message while their conversation is with an agent."""
    body = await _body(request)
    confidence = body.get("confidence")
    case = await _service(request).relay_from_customer(
        _text(body.get("sender_id"), "sender_id", 128),
        _text(body.get("text"), "text", 4000),
        body.get("intent") if isinstance(body.get("intent"), str) else None,
        float(confidence) if isinstance(confidence, (int, float)) else None,
    )
    return web.json_response({"relayed": case is not None, "case_id": case["id"] if case else None})


@service_routes.post("/v1/pending-tickets")
async def queue_ticket(request: web.Request) -> web.Response:
    """A ticket the bot could not open because the operator backend was down: kept and submitted later."""
    body = await _body(request)
    phone = _text(body.get("phone"), "phone", 11)
    if not (phone and phone.isdigit() and len(phone) == 11):
        raise InvalidInput("phone must be 11 digits", details={"field": "phone"})
    kind = body.get("kind")
    if kind not in pending_tickets.KINDS:
        raise InvalidInput("unknown kind", details={"field": "kind"})
    ticket = {
        "phone": phone,
        "kind": kind,
        "category": _text(body.get("category"), "category", 32),
        "description": _text(body.get("description"), "description", 2000),
        "address": _optional_text(body.get("address"), "address", 256),
    }
    service = _service(request)
    pending_id = await service.queue_ticket(
        _text(body.get("sender_id"), "sender_id", 128), _text(body.get("channel"), "channel", 32), ticket
    )
    return web.json_response({"id": pending_id, "status": "pending"}, status=201)


@service_routes.get("/v1/outbox/{sender_id}")
async def outbox(request: web.Request) -> web.Response:
    messages = await cases.pull_outbox(_service(request).db, request.match_info["sender_id"])
    return web.json_response({"messages": messages})


# -- console (agents) ---------------------------------------------------------------------------


@console_routes.get("/login")
async def login_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "login.html")


@console_routes.get("/")
async def console_page(request: web.Request) -> web.StreamResponse:
    if request.get(AGENT) is None:
        raise web.HTTPFound("/login")
    return web.FileResponse(STATIC / "console.html")


@console_routes.post("/api/login")
async def login(request: web.Request) -> web.Response:
    """Throttled per account and per client address (bot/services/desk/login_throttle.py): once throttled,
    the password is not even checked; the page tells the agent how long to wait (static/console/login.js)."""
    body = await _body(request)
    service = _service(request)
    username = str(body.get("username", ""))[:32]
    address = client_address(request, service.settings.trusted_proxies)
    _, wait = await login_throttle.attempt(service.db, username, address)  # counted as a failure until it succeeds
    if wait is not None:
        return web.json_response(
            {"error": "too_many_attempts", "message": "too many failed sign-ins; try again later", "retry_after": wait},
            status=429,
            headers={"Retry-After": str(wait)},
        )
    agent = await agents.authenticate(service.db, username, str(body.get("password", ""))[:128])
    if agent is None:
        return web.json_response({"error": "bad_credentials", "message": "wrong username or password"}, status=401)
    await login_throttle.succeeded(service.db, username)
    token = await agents.open_session(service.db, agent["id"], service.settings.session_hours)
    response = web.json_response({"agent": agent})
    secure = service.settings.secure_cookies or is_https(request, service.settings.trusted_proxies)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=secure,
        max_age=service.settings.session_hours * 3600,
        path="/",
    )
    return response


@console_routes.post("/api/logout")
async def logout(request: web.Request) -> web.Response:
    await agents.close_session(_service(request).db, request.cookies.get(COOKIE, ""))
    response = web.json_response({"status": "signed_out"})
    response.del_cookie(COOKIE, path="/")
    return response


@console_routes.get("/api/me")
async def me(request: web.Request) -> web.Response:
    return web.json_response(request[AGENT])


@console_routes.get("/api/cases")
async def list_cases(request: web.Request) -> web.Response:
    return web.json_response(await _service(request).queue_view(request[AGENT]["id"]))


@console_routes.get("/api/cases/{case_id}")
async def get_case(request: web.Request) -> web.Response:
    service, case_id = _service(request), _case_id(request)
    case = await cases.summary(service.db, case_id)
    transcript = await cases.transcript(service.db, case_id)
    last_customer = next((m["text"] for m in reversed(transcript) if m["role"] == "customer"), None)
    found = None
    if last_customer and case["status"] in cases.OPEN:
        found = suggestion(await service.rasa.parse(last_customer))
    return web.json_response(
        {**case, "context": await cases.context(service.db, case_id), "transcript": transcript, "suggestion": found}
    )


@console_routes.post("/api/cases/{case_id}/take")
async def take_case(request: web.Request) -> web.Response:
    service = _service(request)
    case = await cases.take(service.db, _case_id(request), request[AGENT]["id"])
    await service.refresh()
    return web.json_response(case)


@console_routes.post("/api/cases/{case_id}/reply")
async def reply(request: web.Request) -> web.Response:
    body = await _body(request)
    text = _text(body.get("text"), "text", MAX_REPLY)
    message = await _service(request).reply(_case_id(request), request[AGENT]["id"], text)
    return web.json_response({"message": message}, status=201)


@console_routes.post("/api/cases/{case_id}/handback")
async def handback(request: web.Request) -> web.Response:
    case = await _service(request).end(_case_id(request), request[AGENT]["id"], "handed_back")
    return web.json_response(case)


@console_routes.post("/api/cases/{case_id}/close")
async def close(request: web.Request) -> web.Response:
    body = await _body(request)
    note = _optional_text(body.get("note") or None, "note", 2000)
    case = await _service(request).end(_case_id(request), request[AGENT]["id"], "closed", note)
    return web.json_response(case)


@console_routes.get("/ws")
async def websocket(request: web.Request) -> web.WebSocketResponse:
    service, agent = _service(request), request[AGENT]
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    service.hub.add(agent["id"], socket)
    try:
        await socket.send_json({"type": "queue", **(await service.queue_view(agent["id"]))})
        async for message in socket:
            if message.type == WSMsgType.TEXT and '"ping"' in message.data:
                await socket.send_json({"type": "pong"})
    finally:
        service.hub.remove(agent["id"], socket)
    return socket
