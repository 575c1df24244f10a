"""HTTP handlers for what customers come for beyond balances and bills: usage over the last months,
plan changes with advice, packs, 账单解读, balance movements and disputes of unconsented orders."""

from aiohttp import web

from bot.services.operator import disputes, explanations, packs, plans, usage
from bot.services.operator import validation as v
from bot.services.operator.requests import db_of, json_body, phone_of, subscription_id_of

offer_routes = web.RouteTableDef()


@offer_routes.get("/v1/lines/{phone}/usage")
async def get_usage(request: web.Request) -> web.Response:
    months = v.bounded_int(request.query.get("months", "3"), "months", low=1, high=6)
    history = await usage.month_usage(db_of(request), phone_of(request), months)
    return web.json_response({"months": [month.as_json() for month in history]})


@offer_routes.get("/v1/lines/{phone}/balance-movements")
async def get_movements(request: web.Request) -> web.Response:
    since = request.query.get("since")
    result = await usage.movements(db_of(request), phone_of(request), v.moment(since, "since") if since else None)
    return web.json_response(result)


@offer_routes.get("/v1/lines/{phone}/plan-options")
async def get_plan_options(request: web.Request) -> web.Response:
    want = v.one_of(request.query.get("want", "any"), v.PLAN_WANTS, "want")
    return web.json_response(await plans.plan_options(db_of(request), phone_of(request), want))


@offer_routes.get("/v1/lines/{phone}/plan-change-quote")
async def get_plan_change_quote(request: web.Request) -> web.Response:
    code = v.product_code(request.query.get("plan_code"), "plan_code")
    terms = await plans.change_quote(db_of(request), phone_of(request), code)
    return web.json_response({**terms, "consent_subject": terms})


@offer_routes.post("/v1/lines/{phone}/plan-change")
async def post_plan_change(request: web.Request) -> web.Response:
    body = await json_body(request)
    code = v.product_code(body.get("plan_code"), "plan_code")
    result = await plans.change_plan(db_of(request), phone_of(request), code, v.consent_id(body.get("consent_id")))
    return web.json_response(result, status=200 if result["replayed"] else 201)


@offer_routes.get("/v1/lines/{phone}/pack-quote")
async def get_pack_quote(request: web.Request) -> web.Response:
    code = v.product_code(request.query.get("package_code"), "package_code")
    quote = await packs.pack_quote(db_of(request), phone_of(request), code)
    return web.json_response({**quote, "consent_subject": packs.consent_subject(quote)})


@offer_routes.post("/v1/lines/{phone}/packs")
async def post_pack(request: web.Request) -> web.Response:
    body = await json_body(request)
    code = v.product_code(body.get("package_code"), "package_code")
    result = await packs.add_pack(db_of(request), phone_of(request), code, v.consent_id(body.get("consent_id")))
    return web.json_response(result, status=200 if result["replayed"] else 201)


@offer_routes.get("/v1/lines/{phone}/bills/{month}/explanation")
async def get_bill_explanation(request: web.Request) -> web.Response:
    month = v.month(request.match_info["month"])
    bill_type = v.one_of(request.query.get("type", "话费"), v.BILL_TYPES, "type")
    return web.json_response(await explanations.explain(db_of(request), phone_of(request), month, bill_type))


@offer_routes.post("/v1/lines/{phone}/subscriptions/{subscription_id}/dispute")
async def post_dispute(request: web.Request) -> web.Response:
    body = await json_body(request)
    statement = v.text(body.get("statement"), "statement", max_length=1000)
    result = await disputes.dispute(db_of(request), phone_of(request), subscription_id_of(request), statement)
    return web.json_response(result, status=200 if result["replayed"] else 201)
