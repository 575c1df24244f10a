"""HTTP routes: the service API (bot and Rasa, Bearer token) and the console API (agents, cookie).

What a customer said reaches the database masked (bot/core/privacy.py): the transcript, context and
phone given at handoff here, relayed messages in HandoffService.relay_from_customer.
"""

from pathlib import Path
from typing import Any, Dict, Optional

from aiohttp import WSMsgType, web

from bot.core.errors import Forbidden, InvalidInput, NotFound
from bot.core.privacy import mask_personal_data, mask_personal_values
from bot.services.desk import agents, canned, canned_text, cases, login_throttle, pending_tickets, preferences
from bot.services.desk.assignment import MODES, STATUSES
from bot.services.desk.console_security import client_address, is_https
from bot.services.desk.labels import INTENT_LABELS, SLOT_LABELS
from bot.services.desk.reports import dashboard
from bot.services.desk.reports import tables as report_tables
from bot.services.desk.service import HandoffService

STATIC = Path(__file__).resolve().parent / "static"
# The dashboard's charting library, installed from npm by setup (web/package.json), served from here.
CHART_JS = Path(__file__).resolve().parents[3] / "web" / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
SERVICE_KEY = web.AppKey("service", HandoffService)
AGENT = "agent"  # request key of the signed-in agent
COOKIE = "agent_session"
MAX_REPLY = 1000
MAX_CASES = 20  # the most a supervisor can let one agent hold at once

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
    why_not = await service.availability() if existing is None else None
    if why_not:
        return web.json_response({"status": "unavailable", "why": why_not})
    masked_phone = _optional_text(body.get("masked_phone"), "masked_phone", 16)
    phone = body.get("verified_phone")
    if phone is not None and not (isinstance(phone, str) and len(phone) == 11 and phone.isascii() and phone.isdigit()):
        raise InvalidInput("verified_phone must be an 11-digit number", details={"field": "verified_phone"})
    case = await cases.create(
        service.db,
        sender_id=sender_id,
        channel=_text(body.get("channel"), "channel", 32),
        masked_phone=mask_personal_data(masked_phone) if masked_phone else None,
        verified=bool(body.get("verified")),
        reason=reason,
        context=mask_personal_values(context),
        transcript=[{**item, "text": mask_personal_data(item["text"])} for item in transcript[-200:]],
        verified_phone=phone,
    )
    await service.refresh()
    service.spawn(service.assign_waiting())
    position = await cases.position(service.db, case) if case["status"] == "queued" else 0
    return web.json_response(
        {
            "status": case["status"],
            "case": case,
            "position": position,
            "wait_minutes": await service.expected_wait(position) if position else 0,
        },
        status=201,
    )


@service_routes.post("/v1/cases/callback")
async def case_to_callback(request: web.Request) -> web.Response:
    """The bot opened (or kept) a callback for a customer whose case had timed out: that case is now
    a callback, not an abandonment. `{"case": ...}` or `{"case": null}` when there was none."""
    body = await _body(request)
    service = _service(request)
    ticket_id = _optional_text(body.get("ticket_id"), "ticket_id", 32)
    case = await cases.convert_to_callback(service.db, _text(body.get("sender_id"), "sender_id", 128), ticket_id)
    return web.json_response({"case": case})


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
    if case is None:
        return web.json_response({"relayed": False, "case_id": None})
    # Where the conversation stands, for the customer's channel (the widget's header and typing indicator).
    return web.json_response(
        {"relayed": True, "case_id": case["id"], "status": case["status"], "agent_name": case["agent_name"]}
    )


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


@console_routes.get("/dashboard")
async def dashboard_page(request: web.Request) -> web.StreamResponse:
    """The supervisors' dashboard; an agent who is not a supervisor gets the console instead."""
    agent = request.get(AGENT)
    if agent is None:
        raise web.HTTPFound("/login")
    if agent.get("role") != "supervisor":
        raise web.HTTPFound("/")
    return web.FileResponse(STATIC / "dashboard.html")


@console_routes.get("/static/vendor/chart.umd.min.js")
async def chart_js(request: web.Request) -> web.FileResponse:
    if not CHART_JS.is_file():
        raise NotFound("chart.js is not installed: run scripts/setup.sh (npm ci --prefix web)")
    return web.FileResponse(CHART_JS)


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
        found = await service.answer_for(case, last_customer)
    return web.json_response(
        {
            **case,
            "context": await cases.context(service.db, case_id),
            "transcript": transcript,
            "suggestion": found,
            "earlier": await cases.earlier_cases(service.db, case),
            "notes": await cases.notes(service.db, case_id) if _may_read(case, request[AGENT]) else [],
            # A verified customer's tickets by number (None: not looked up), beside this conversation's.
            "customer_tickets": await service.tickets_of(case),
        }
    )


@console_routes.get("/api/history")
async def history(request: web.Request) -> web.Response:
    """The signed-in agent's recently ended cases: they stay readable once handed back or closed."""
    return web.json_response({"cases": await cases.ended_by(_service(request).db, request[AGENT]["id"])})


def _reply_id(request: web.Request) -> int:
    text = request.match_info["reply_id"]
    if not text.isdigit():
        raise InvalidInput("reply_id must be a number", details={"field": "reply_id"})
    return int(text)


def _supervisor(request: web.Request, what: str = "change the canned replies") -> Dict[str, Any]:
    if request[AGENT].get("role") != "supervisor":
        raise Forbidden(f"only a supervisor can {what}")
    return request[AGENT]


@console_routes.get("/api/canned")
async def list_canned(request: web.Request) -> web.Response:
    return web.json_response({"replies": await canned.listed(_service(request).db)})


@console_routes.post("/api/canned")
async def create_canned(request: web.Request) -> web.Response:
    supervisor = _supervisor(request)
    fields = canned_text.checked(await _body(request))
    reply = await canned.create(_service(request).db, fields, supervisor["id"])
    return web.json_response(reply, status=201)


@console_routes.put("/api/canned/{reply_id}")
async def change_canned(request: web.Request) -> web.Response:
    supervisor = _supervisor(request)
    fields = canned_text.checked(await _body(request))
    return web.json_response(await canned.change(_service(request).db, _reply_id(request), fields, supervisor["id"]))


@console_routes.delete("/api/canned/{reply_id}")
async def delete_canned(request: web.Request) -> web.Response:
    _supervisor(request)
    await canned.remove(_service(request).db, _reply_id(request))
    return web.json_response({"deleted": _reply_id(request)})


@console_routes.get("/api/cases/{case_id}/canned")
async def canned_for_case(request: web.Request) -> web.Response:
    """The canned replies filled with this case's values, with the placeholders it cannot fill."""
    service, case_id = _service(request), _case_id(request)
    case = await cases.summary(service.db, case_id)
    values = canned_text.values_of(case, await cases.context(service.db, case_id), request[AGENT]["name"])
    replies = []
    for reply in await canned.listed(service.db):
        text, missing = canned_text.fill(reply["text"], values)
        replies.append({**reply, "filled": text, "missing": missing})
    return web.json_response({"replies": replies})


@console_routes.post("/api/me/status")
async def set_status(request: web.Request) -> web.Response:
    """在线 / 忙碌 / 离开: 忙碌 gets no new case by auto-assign; 离开 does not count as on duty."""
    body = await _body(request)
    status = body.get("status")
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", details={"field": "status"})
    service, me = _service(request), request[AGENT]
    current = await agents.get(service.db, me["id"])
    changed = await agents.set_presence(service.db, me["id"], status=status, max_cases=current["max_cases"])
    await service.refresh()
    await service.assign_waiting()
    return web.json_response(changed)


@console_routes.get("/api/agents")
async def list_agents(request: web.Request) -> web.Response:
    """The supervisor's view of the agents: status, console open or not, cases held and their maximum."""
    _supervisor(request)
    service = _service(request)
    online, load = set(service.hub.online_agents()), await cases.loads(service.db)
    return web.json_response(
        {
            "agents": [
                {**agent, "online": agent["id"] in online, "load": load.get(agent["id"], 0)}
                for agent in await agents.roster(service.db)
            ]
        }
    )


@console_routes.put("/api/agents/{agent_id}")
async def change_agent(request: web.Request) -> web.Response:
    """A supervisor sets an agent's maximum of cases at once (1 to 20)."""
    _supervisor(request)
    body, service = await _body(request), _service(request)
    text = request.match_info["agent_id"]
    if not text.isdigit():
        raise InvalidInput("agent_id must be a number", details={"field": "agent_id"})
    most = body.get("max_cases")
    if not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= MAX_CASES:
        raise InvalidInput(f"max_cases must be a whole number from 1 to {MAX_CASES}", details={"field": "max_cases"})
    agent = await agents.get(service.db, int(text))
    changed = await agents.set_presence(service.db, agent["id"], status=agent["status"], max_cases=most)
    await service.assign_waiting()
    return web.json_response(changed)


@console_routes.put("/api/desk")
async def change_desk(request: web.Request) -> web.Response:
    """A supervisor switches between agents taking cases (manual) and the desk assigning them (auto)."""
    _supervisor(request)
    body, service = await _body(request), _service(request)
    if body.get("assign_mode") not in MODES:
        raise InvalidInput(f"assign_mode must be one of {', '.join(MODES)}", details={"field": "assign_mode"})
    await preferences.set_assign_mode(service.db, body["assign_mode"])
    await service.refresh()
    await service.assign_waiting()
    return web.json_response(await service.desk_state())


def _days(request: web.Request) -> int:
    text = request.query.get("days", "7")
    if not text.isdigit() or not 1 <= int(text) <= dashboard.MAX_DAYS:
        raise InvalidInput(f"days must be a whole number from 1 to {dashboard.MAX_DAYS}", details={"field": "days"})
    return int(text)


async def _figures(request: web.Request) -> Dict[str, Any]:
    _supervisor(request, "see the dashboard")
    service = _service(request)
    return await dashboard.build(service.db, service.tracker, service.operator, service.db.clock(), _days(request))


@console_routes.get("/api/reports")
async def reports(request: web.Request) -> web.Response:
    """The supervisors' dashboard: the figures of the last `days` days (definitions: docs/dashboard.md)."""
    return web.json_response(await _figures(request))


@console_routes.get("/api/reports/{table}.csv")
async def report_csv(request: web.Request) -> web.Response:
    table = request.match_info["table"]
    if table not in report_tables.TABLES:
        raise NotFound("no such table", details={"field": "table", "tables": sorted(report_tables.TABLES)})
    figures = await _figures(request)
    body = report_tables.to_csv(report_tables.TABLES[table](figures))
    name = f"{table}-{figures['period']['today']}-{figures['period']['days']}d.csv"
    return web.Response(
        text=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@console_routes.get("/api/labels")
async def labels(request: web.Request) -> web.Response:
    """Chinese names of the intents and slots the console shows."""
    return web.json_response({"intents": INTENT_LABELS, "slots": SLOT_LABELS})


@console_routes.post("/api/cases/{case_id}/take")
async def take_case(request: web.Request) -> web.Response:
    case = await _service(request).take(_case_id(request), request[AGENT]["id"])
    return web.json_response(case)


@console_routes.get("/api/supervisor/cases")
async def all_open_cases(request: web.Request) -> web.Response:
    """Every open case, queued and taken, with who holds it: the supervisors' view."""
    _supervisor(request, "see every open case")
    return web.json_response({"cases": await cases.all_open(_service(request).db)})


@console_routes.post("/api/cases/{case_id}/assign")
async def assign_case(request: web.Request) -> web.Response:
    """A supervisor gives a queued case to an agent, or moves a taken one to another: {agent_id}."""
    _supervisor(request, "reassign cases")
    body = await _body(request)
    agent_id = body.get("agent_id")
    if isinstance(agent_id, bool) or not isinstance(agent_id, int) or agent_id < 1:
        raise InvalidInput("agent_id must be an agent's number", details={"field": "agent_id"})
    return web.json_response(await _service(request).reassign(_case_id(request), agent_id))


def _may_read(case: Dict[str, Any], agent: Dict[str, Any]) -> bool:
    """Notes are read and written by the case's agent, by any supervisor, and, while the case is
    queued, by any agent (who may take it)."""
    return agent.get("role") == "supervisor" or case["status"] == "queued" or case["agent_id"] == agent["id"]


@console_routes.get("/api/cases/{case_id}/notes")
async def list_notes(request: web.Request) -> web.Response:
    service, case_id = _service(request), _case_id(request)
    if not _may_read(await cases.summary(service.db, case_id), request[AGENT]):
        raise Forbidden("only the case's agent or a supervisor can read its notes")
    return web.json_response({"notes": await cases.notes(service.db, case_id)})


@console_routes.post("/api/cases/{case_id}/notes")
async def add_note(request: web.Request) -> web.Response:
    """A private note on the case (备注): for the agents and supervisors, never sent to the customer."""
    service, case_id = _service(request), _case_id(request)
    if not _may_read(await cases.summary(service.db, case_id), request[AGENT]):
        raise Forbidden("only the case's agent or a supervisor can write its notes")
    body = await _body(request)
    text = mask_personal_data(_text(body.get("text"), "text", 1000))
    return web.json_response(await cases.add_note(service.db, case_id, request[AGENT]["id"], text), status=201)


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
    service.spawn(service.assign_waiting())  # an agent came online: waiting cases may be theirs
    try:
        await socket.send_json({"type": "queue", **(await service.queue_view(agent["id"]))})
        async for message in socket:
            if message.type == WSMsgType.TEXT and '"ping"' in message.data:
                await socket.send_json({"type": "pong"})
    finally:
        service.hub.remove(agent["id"], socket)
    return socket
