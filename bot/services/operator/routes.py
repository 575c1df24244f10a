"""HTTP handlers of the operator backend: JSON in, JSON out, domain errors as 4xx."""

import datetime as dt

from aiohttp import web

from bot.core.errors import InvalidInput, NotFound
from bot.services.operator import accounts, billing, consents, identity, packages, reports, satisfaction, tickets
from bot.services.operator import bindings as wechat
from bot.services.operator import validation as v
from bot.services.operator.requests import db_of, json_body, phone_of, subscription_id_of

routes = web.RouteTableDef()


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.post("/v1/identity/verify")
async def verify_identity(request: web.Request) -> web.Response:
    body = await json_body(request)
    result = await identity.verify(
        db_of(request),
        v.phone(body.get("phone")),
        v.password(body.get("password")),
        identity.client_keys(body.get("client")),
    )
    return web.json_response(result)


@routes.get("/v1/lines/{phone}")
async def get_line(request: web.Request) -> web.Response:
    return web.json_response(await accounts.get_line(db_of(request), phone_of(request)))


@routes.get("/v1/lines/{phone}/balance")
async def get_balance(request: web.Request) -> web.Response:
    return web.json_response(await accounts.get_balance(db_of(request), phone_of(request)))


@routes.get("/v1/lines/{phone}/subscriptions")
async def list_subscriptions(request: web.Request) -> web.Response:
    include_ended = request.query.get("include_ended") == "true"
    result = await packages.list_subscriptions(db_of(request), phone_of(request), include_ended=include_ended)
    return web.json_response({"subscriptions": result})


@routes.get("/v1/lines/{phone}/subscriptions/{subscription_id}/cancellation-quote")
async def cancellation_quote(request: web.Request) -> web.Response:
    quote = await packages.cancellation_quote(db_of(request), phone_of(request), subscription_id_of(request))
    return web.json_response({**quote, "consent_subject": packages.consent_subject(quote)})


@routes.post("/v1/lines/{phone}/subscriptions/{subscription_id}/cancel")
async def cancel_subscription(request: web.Request) -> web.Response:
    body = await json_body(request)
    consent_id = v.consent_id(body.get("consent_id"))
    result = await packages.cancel(db_of(request), phone_of(request), subscription_id_of(request), consent_id)
    return web.json_response(result)


@routes.get("/v1/lines/{phone}/bills")
async def list_bills(request: web.Request) -> web.Response:
    bill_type = request.query.get("type")
    month = request.query.get("month")
    result = await billing.list_bills(
        db_of(request),
        phone_of(request),
        bill_type=v.one_of(bill_type, v.BILL_TYPES, "type") if bill_type else None,
        month=v.month(month) if month else None,
    )
    return web.json_response({"bills": result})


@routes.get("/v1/lines/{phone}/tickets")
async def list_tickets(request: web.Request) -> web.Response:
    return web.json_response({"tickets": await tickets.list_for(db_of(request), phone_of(request))})


@routes.get("/v1/lines/{phone}/consents")
async def list_consents(request: web.Request) -> web.Response:
    return web.json_response({"consents": await consents.list_for(db_of(request), phone_of(request))})


@routes.get("/v1/packages")
async def list_packages(request: web.Request) -> web.Response:
    name = request.query.get("name")
    if name:
        return web.json_response({"packages": [await packages.find_package(db_of(request), name)]})
    return web.json_response({"packages": await packages.catalogue(db_of(request))})


@routes.post("/v1/payments")
async def create_payment(request: web.Request) -> web.Response:
    body = await json_body(request)
    payment, created = await billing.pay(
        db_of(request),
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
    payment = await billing.get_payment(db_of(request), v.idempotency_key(request.match_info["key"]))
    if payment is None:
        raise NotFound("unknown payment", details={"field": "idempotency_key"})
    return web.json_response(payment)


@routes.get("/v1/lines/{phone}/outstanding")
async def get_outstanding(request: web.Request) -> web.Response:
    bill_type = v.one_of(request.query.get("type"), v.BILL_TYPES, "type")
    amount = await billing.outstanding(db_of(request), phone_of(request), bill_type)
    return web.json_response({"bill_type": bill_type, "outstanding_fen": amount})


@routes.post("/v1/tickets")
async def create_ticket(request: web.Request) -> web.Response:
    body = await json_body(request)
    priority = body.get("priority")
    ticket = await tickets.create(
        db_of(request),
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
    return web.json_response(await tickets.get(db_of(request), request.match_info["ticket_id"]))


@routes.post("/v1/tickets/{ticket_id}/status")
async def set_ticket_status(request: web.Request) -> web.Response:
    body = await json_body(request)
    ticket = await tickets.set_status(
        db_of(request),
        request.match_info["ticket_id"],
        v.one_of(body.get("status"), tickets.STATUSES, "status"),
        v.text(body.get("note"), "note", max_length=2000),
    )
    return web.json_response(ticket)


@routes.post("/v1/consents")
async def record_consent(request: web.Request) -> web.Response:
    body = await json_body(request)
    confirmed = body.get("confirmed")
    if not isinstance(confirmed, bool):
        raise InvalidInput("confirmed must be true or false", details={"field": "confirmed"})
    consent = await consents.record(
        db_of(request),
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
    body = await json_body(request)
    score = body.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or score not in satisfaction.SCORES:
        raise InvalidInput("score must be an integer from 1 to 5", details={"field": "score"})
    phone = body.get("phone")
    rating = await satisfaction.record(
        db_of(request),
        sender_id=v.text(body.get("sender_id"), "sender_id", max_length=128),
        channel=v.text(body.get("channel"), "channel", max_length=32),
        task=v.one_of(body.get("task"), satisfaction.TASKS, "task"),
        score=score,
        phone=v.phone(phone) if phone is not None else None,
    )
    return web.json_response(rating, status=201)


@routes.get("/v1/reports/activity")
async def report_activity(request: web.Request) -> web.Response:
    """Ratings and callbacks of [since, until) for the supervisors' dashboard (at most a quarter)."""
    since = v.moment(request.query.get("since"), "since")
    until = v.moment(request.query.get("until"), "until")
    if not since < until <= since + dt.timedelta(days=reports.MAX_DAYS):
        raise InvalidInput(
            f"until must come after since, at most {reports.MAX_DAYS} days later", details={"field": "until"}
        )
    return web.json_response(await reports.activity(db_of(request), since, until))


@routes.get("/v1/satisfaction/summary")
async def satisfaction_summary(request: web.Request) -> web.Response:
    return web.json_response(await satisfaction.summary(db_of(request)))


def _openid(request: web.Request) -> str:
    openid = request.match_info["openid"]
    if not (6 <= len(openid) <= 64) or not all(c.isalnum() or c in "-_" for c in openid):
        raise InvalidInput("openid must be 6-64 letters, digits, - or _", details={"field": "openid"})
    return openid


@routes.put("/v1/wechat-bindings/{openid}")
async def bind_wechat(request: web.Request) -> web.Response:
    body = await json_body(request)
    return web.json_response(await wechat.bind(db_of(request), _openid(request), v.phone(body.get("phone"))))


@routes.get("/v1/wechat-bindings/{openid}")
async def get_wechat_binding(request: web.Request) -> web.Response:
    return web.json_response(await wechat.bound_phone(db_of(request), _openid(request)))
