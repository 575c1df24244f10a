"""HTTP handlers of the operator backend: JSON in, JSON out, domain errors as 4xx."""

from typing import Any, Dict

from aiohttp import web

from bot.core.db import Database
from bot.core.errors import InvalidInput, NotFound
from bot.services.operator import accounts, billing, consents, identity, packages, satisfaction, tickets
from bot.services.operator import bindings as wechat
from bot.services.operator import validation as v

DB_KEY = web.AppKey("db", Database)

routes = web.RouteTableDef()


def _db(request: web.Request) -> Database:
    return request.app[DB_KEY]


async def _body(request: web.Request) -> Dict[str, Any]:
    if request.content_type != "application/json":
        raise InvalidInput("the body must be JSON (Content-Type: application/json)")
    try:
        body = await request.json()
    except ValueError:
        raise InvalidInput("the body is not valid JSON") from None
    return dict(v.mapping(body, "body"))


def _phone(request: web.Request) -> str:
    return v.phone(request.match_info["phone"])


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.post("/v1/identity/verify")
async def verify_identity(request: web.Request) -> web.Response:
    body = await _body(request)
    result = await identity.verify(
        _db(request),
        v.phone(body.get("phone")),
        v.password(body.get("password")),
        identity.client_keys(body.get("client")),
    )
    return web.json_response(result)


@routes.get("/v1/lines/{phone}")
async def get_line(request: web.Request) -> web.Response:
    return web.json_response(await accounts.get_line(_db(request), _phone(request)))


@routes.get("/v1/lines/{phone}/balance")
async def get_balance(request: web.Request) -> web.Response:
    return web.json_response(await accounts.get_balance(_db(request), _phone(request)))


@routes.get("/v1/lines/{phone}/subscriptions")
async def list_subscriptions(request: web.Request) -> web.Response:
    include_ended = request.query.get("include_ended") == "true"
    result = await packages.list_subscriptions(_db(request), _phone(request), include_ended=include_ended)
    return web.json_response({"subscriptions": result})


def _subscription_id(request: web.Request) -> int:
    text = request.match_info["subscription_id"]
    if not text.isdigit():
        raise InvalidInput("subscription_id must be a number", details={"field": "subscription_id"})
    return int(text)


@routes.get("/v1/lines/{phone}/subscriptions/{subscription_id}/cancellation-quote")
async def cancellation_quote(request: web.Request) -> web.Response:
    quote = await packages.cancellation_quote(_db(request), _phone(request), _subscription_id(request))
    return web.json_response({**quote, "consent_subject": packages.consent_subject(quote)})


@routes.post("/v1/lines/{phone}/subscriptions/{subscription_id}/cancel")
async def cancel_subscription(request: web.Request) -> web.Response:
    body = await _body(request)
    consent_id = v.consent_id(body.get("consent_id"))
    result = await packages.cancel(_db(request), _phone(request), _subscription_id(request), consent_id)
    return web.json_response(result)


@routes.get("/v1/lines/{phone}/bills")
async def list_bills(request: web.Request) -> web.Response:
    bill_type = request.query.get("type")
    month = request.query.get("month")
    result = await billing.list_bills(
        _db(request),
        _phone(request),
        bill_type=v.one_of(bill_type, v.BILL_TYPES, "type") if bill_type else None,
        month=v.month(month) if month else None,
    )
    return web.json_response({"bills": result})


@routes.get("/v1/lines/{phone}/tickets")
async def list_tickets(request: web.Request) -> web.Response:
    return web.json_response({"tickets": await tickets.list_for(_db(request), _phone(request))})


@routes.get("/v1/lines/{phone}/consents")
async def list_consents(request: web.Request) -> web.Response:
    return web.json_response({"consents": await consents.list_for(_db(request), _phone(request))})


@routes.get("/v1/packages")
async def list_packages(request: web.Request) -> web.Response:
    name = request.query.get("name")
    if name:
        return web.json_response({"packages": [await packages.find_package(_db(request), name)]})
    return web.json_response({"packages": await packages.catalogue(_db(request))})


@routes.post("/v1/payments")
async def create_payment(request: web.Request) -> web.Response:
    body = await _body(request)
    payment, created = await billing.pay(
        _db(request),
        idempotency_key=v.idempotency_key(body.get("idempotency_key")),
        phone=v.phone(body.get("phone")),
        bill_type=v.one_of(body.get("bill_type"), v.BILL_TYPES, "bill_type"),
        amount_fen=v.amount_fen(body.get("amount_fen")),
        method=v.one_of(body.get("method"), v.PAYMENT_METHODS, "method"),
        consent_id=v.consent_id(body.get("consent_id")),
    )
    return web.json_response({**payment, "replayed": not created}, status=201 if created else 200)


@routes.get("/v1/payments/{key}")
async def get_payment(request: web.Request) -> web.Response:
    payment = await billing.get_payment(_db(request), v.idempotency_key(request.match_info["key"]))
    if payment is None:
        raise NotFound("unknown payment", details={"field": "idempotency_key"})
    return web.json_response(payment)


@routes.get("/v1/lines/{phone}/outstanding")
async def get_outstanding(request: web.Request) -> web.Response:
    bill_type = v.one_of(request.query.get("type"), v.BILL_TYPES, "type")
    amount = await billing.outstanding(_db(request), _phone(request), bill_type)
    return web.json_response({"bill_type": bill_type, "outstanding_fen": amount})


@routes.post("/v1/tickets")
async def create_ticket(request: web.Request) -> web.Response:
    body = await _body(request)
    priority = body.get("priority")
    ticket = await tickets.create(
        _db(request),
        phone=v.phone(body.get("phone")),
        kind=v.one_of(body.get("kind"), v.TICKET_KINDS, "kind"),
        category=v.text(body.get("category"), "category", max_length=32),
        description=v.text(body.get("description"), "description", max_length=2000),
        address=v.optional_text(body.get("address"), "address", max_length=256),
        priority=v.one_of(priority, v.PRIORITIES, "priority") if priority is not None else None,
    )
    return web.json_response(ticket, status=201)


@routes.get("/v1/tickets/{ticket_id}")
async def get_ticket(request: web.Request) -> web.Response:
    return web.json_response(await tickets.get(_db(request), request.match_info["ticket_id"]))


@routes.post("/v1/tickets/{ticket_id}/status")
async def set_ticket_status(request: web.Request) -> web.Response:
    body = await _body(request)
    ticket = await tickets.set_status(
        _db(request),
        request.match_info["ticket_id"],
        v.one_of(body.get("status"), tickets.STATUSES, "status"),
        v.text(body.get("note"), "note", max_length=2000),
    )
    return web.json_response(ticket)


@routes.post("/v1/consents")
async def record_consent(request: web.Request) -> web.Response:
    body = await _body(request)
    confirmed = body.get("confirmed")
    if not isinstance(confirmed, bool):
        raise InvalidInput("confirmed must be true or false", details={"field": "confirmed"})
    consent = await consents.record(
        _db(request),
        phone=v.phone(body.get("phone")),
        action=v.one_of(body.get("action"), v.CONSENT_ACTIONS, "action"),
        subject=v.mapping(body.get("subject"), "subject"),
        shown_text=v.text(body.get("shown_text"), "shown_text", max_length=4000),
        confirmed=confirmed,
        channel=v.text(body.get("channel"), "channel", max_length=32),
        sender_id=v.text(body.get("sender_id"), "sender_id", max_length=128),
    )
    return web.json_response(consent, status=201)


@routes.post("/v1/satisfaction")
async def record_satisfaction(request: web.Request) -> web.Response:
    body = await _body(request)
    score = body.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or score not in satisfaction.SCORES:
        raise InvalidInput("score must be an integer from 1 to 5", details={"field": "score"})
    phone = body.get("phone")
    rating = await satisfaction.record(
        _db(request),
        sender_id=v.text(body.get("sender_id"), "sender_id", max_length=128),
        channel=v.text(body.get("channel"), "channel", max_length=32),
        task=v.one_of(body.get("task"), satisfaction.TASKS, "task"),
        score=score,
        phone=v.phone(phone) if phone is not None else None,
    )
    return web.json_response(rating, status=201)


@routes.get("/v1/satisfaction/summary")
async def satisfaction_summary(request: web.Request) -> web.Response:
    return web.json_response(await satisfaction.summary(_db(request)))


def _openid(request: web.Request) -> str:
    openid = request.match_info["openid"]
    if not (6 <= len(openid) <= 64) or not all(c.isalnum() or c in "-_" for c in openid):
        raise InvalidInput("openid must be 6-64 letters, digits, - or _", details={"field": "openid"})
    return openid


@routes.put("/v1/wechat-bindings/{openid}")
async def bind_wechat(request: web.Request) -> web.Response:
    body = await _body(request)
    return web.json_response(await wechat.bind(_db(request), _openid(request), v.phone(body.get("phone"))))


@routes.get("/v1/wechat-bindings/{openid}")
async def get_wechat_binding(request: web.Request) -> web.Response:
    return web.json_response(await wechat.bound_phone(_db(request), _openid(request)))
