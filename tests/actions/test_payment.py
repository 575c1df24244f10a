"""Payment form, confirmation and idempotent payment against a real backend."""

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.payment import (
    ActionAskAmount,
    ActionAskPayConfirmed,
    ActionCancelPayment,
    ActionPay,
    ValidatePayForm,
    reset_payment,
)
from tests.actions.conftest import RATING_ASKED, TOKEN, make_tracker, rating_for, responses

FORM = "pay_form"
CONFIRMED = {"pay_bill_type": "话费", "pay_phone": "13800138000", "amount": "50", "payment_method": "微信",
             "pay_confirmed": True, "pay_key": "pay-test-key-0001"}


def entity(name, value):
    return {"entity": name, "value": value}


async def validate(backend, domain, slots, text="", intent="inform", entities=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"requested_slot": None, **slots}, text=text, intent=intent, entities=entities,
                           active_loop=FORM)
    events = await ValidatePayForm(backend).run(dispatcher, tracker, domain)
    return events, responses(dispatcher)


async def test_first_message_fills_everything_it_names(backend, domain):
    events, sent = await validate(
        backend, domain, {"pay_bill_type": "话费"}, text="给13900139000充50块用支付宝",
        entities=[entity("phone_number", "13900139000"), entity("amount", "50"), entity("payment_method", "支付宝")],
    )
    assert events == [
        SlotSet("pay_phone", "13900139000"),
        SlotSet("amount", "50"),
        SlotSet("payment_method", "支付宝"),
        SlotSet("pay_confirmed", None),  # any new detail needs a new confirmation
    ]
    assert sent == []


async def test_verified_customer_pays_for_their_own_number_by_default(backend, domain):
    slots = {"identity_verified": True, "verified_phone": "13800138000"}
    events, _ = await validate(backend, domain, slots, text="交话费")
    assert SlotSet("pay_phone", "13800138000") in events


@pytest.mark.parametrize(
    "text, amount_entity, expected, message",
    [
        ("0", None, None, {"response": "utter_invalid_amount", "value": "0"}),
        ("1.234", None, None, {"response": "utter_invalid_amount", "value": "1.234"}),
        ("一万", "10000", None, {"response": "utter_amount_too_large", "limit": "5000.00"}),
        ("三十块五", "30.5", "30.5", None),
    ],
)
async def test_amounts_are_validated(backend, domain, text, amount_entity, expected, message):
    entities = [entity("amount", amount_entity)] if amount_entity else []
    events, sent = await validate(backend, domain, {"requested_slot": "amount"}, text=text, entities=entities)
    assert SlotSet("amount", expected) in events
    assert sent == ([message] if message else [])


async def test_a_correction_replaces_the_amount_and_asks_to_confirm_again(backend, domain):
    slots = {**CONFIRMED, "pay_confirmed": None, "requested_slot": "pay_confirmed"}
    events, _ = await validate(backend, domain, slots, text="不对，是100块", entities=[entity("amount", "100")])
    assert events == [SlotSet("amount", "100"), SlotSet("pay_confirmed", None)]


async def test_affirm_confirms_only_when_asked(backend, domain):
    slots = {**CONFIRMED, "pay_confirmed": None, "requested_slot": "pay_confirmed"}
    events, _ = await validate(backend, domain, slots, text="确认", intent="affirm")
    assert events == [SlotSet("pay_confirmed", True)]
    events, _ = await validate(backend, domain, {"requested_slot": "amount"}, text="好的", intent="affirm")
    assert events == []  # nothing to take: the form rejects and other rules decide


async def test_unknown_number_is_asked_again(backend, domain):
    events, sent = await validate(backend, domain, {"requested_slot": "pay_phone"}, text="13700137000")
    assert events == [SlotSet("pay_phone", None)]
    assert sent == [{"response": "utter_unknown_phone_number", "phone": "13700137000"}]


async def test_broadband_amount_question_offers_the_exact_amount(backend, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"pay_bill_type": "宽带", "pay_phone": "13800138000"})
    assert await ActionAskAmount(backend).run(dispatcher, tracker, domain) == []
    assert dispatcher.messages[0]["response"] == "utter_ask_amount_broadband"
    assert dispatcher.messages[0]["outstanding"] == "100.00"
    assert dispatcher.messages[0]["buttons"] == [{"title": "缴清 100.00 元", "payload": '/inform{"amount": "100"}'}]


async def test_the_summary_draws_a_fresh_key(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({**CONFIRMED, "pay_key": None})
    events = await ActionAskPayConfirmed().run(dispatcher, tracker, domain)
    assert events[0]["name"] == "pay_key" and events[0]["value"].startswith("pay-test-user-")
    assert responses(dispatcher) == [
        {"response": "utter_ask_pay_confirmed", "phone": "138****8000", "bill_type": "话费", "amount": "50.00", "method": "微信"}
    ]


async def pay(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionPay(backend).run(dispatcher, make_tracker(slots), domain)
    return events, responses(dispatcher)


async def test_payment_charges_once_records_consent_and_gives_a_receipt(backend, domain):
    events, sent = await pay(backend, domain, CONFIRMED)
    assert events == reset_payment() + rating_for("payment")
    receipt = {"response": "utter_payment_done_topup", "phone": "138****8000", "amount": "50.00", "method": "微信",
               "balance": "108.30"}
    assert sent == [receipt, RATING_ASKED]
    # The same confirmation delivered again (a retry) charges nothing more.
    _, sent = await pay(backend, domain, CONFIRMED)
    assert sent == [receipt, RATING_ASKED]
    assert (await backend.get_balance("13800138000"))["balance_fen"] == 10830
    consents = (await backend._request("GET", "/v1/lines/13800138000/consents"))["consents"]
    assert [(c["action"], c["subject"], c["confirmed"]) for c in consents][0] == (
        "payment", {"phone": "13800138000", "bill_type": "话费", "amount_fen": 5000, "method": "微信"}, True,
    )
    assert consents[0]["shown_text"] == (
        "请确认：为 138****8000 缴纳话费 50.00 元，支付方式：微信，即时到账。确认支付请回复“确认”，不缴了请回复“算了”。"
    )


async def test_broadband_payment_settles_the_bill(backend, domain):
    slots = {**CONFIRMED, "pay_bill_type": "宽带", "amount": "100", "payment_method": "银行卡", "pay_key": "pay-test-bb-0001"}
    _, sent = await pay(backend, domain, slots)
    assert sent == [{"response": "utter_payment_done_broadband", "phone": "138****8000", "amount": "100.00",
                     "method": "银行卡", "outstanding": "0.00"}, RATING_ASKED]


async def test_broadband_payment_above_the_bill_is_refused_without_charge(backend, domain):
    slots = {**CONFIRMED, "pay_bill_type": "宽带", "amount": "150", "pay_key": "pay-test-bb-0002"}
    _, sent = await pay(backend, domain, slots)
    assert sent == [{"response": "utter_amount_above_outstanding", "outstanding": "100.00"}]
    assert await backend.get_outstanding("13800138000", "宽带") == 10000


async def test_nothing_is_charged_without_confirmation(backend, domain):
    events, sent = await pay(backend, domain, {**CONFIRMED, "pay_confirmed": None})
    assert (events, sent) == (reset_payment(), [])
    assert (await backend.get_balance("13800138000"))["balance_fen"] == 5830


async def test_cancel_says_nothing_was_charged(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionCancelPayment().run(dispatcher, make_tracker(CONFIRMED), domain)
    assert (events, responses(dispatcher)) == (reset_payment(), [{"response": "utter_payment_cancelled"}])


@pytest.mark.parametrize(
    "text, intent, entities",
    [
        ("我话费还剩多少", "check_balance", [entity("bill_type", "话费"), entity("balance_type", "话费")]),
        ("13800138000还有多少钱", "check_balance", [entity("phone_number", "13800138000")]),
        ("交话费能用信用卡吗", "faq", [entity("bill_type", "话费")]),
    ],
)
async def test_a_question_in_the_middle_is_not_taken_as_an_answer(backend, domain, text, intent, entities):
    slots = {"pay_bill_type": "话费", "pay_phone": "13800138000", "requested_slot": "amount"}
    events, sent = await validate(backend, domain, slots, text=text, intent=intent, entities=entities)
    assert (events, sent) == ([], [])  # the form rejects; data/rules/repair.yml answers and resumes it


async def test_the_bill_type_comes_from_the_payment_request(backend, domain):
    events, _ = await validate(
        backend, domain, {"requested_slot": None}, text="交宽带费", intent="pay_bill", entities=[entity("bill_type", "宽带")]
    )
    assert events[0] == SlotSet("pay_bill_type", "宽带")


async def test_a_payment_that_times_out_after_charging_is_retried_without_a_second_charge(operator_server, domain):
    """The backend charges but answers after the client's timeout (3 s in production, 0.5 s here):
    the action retries with the same key and gets the first charge's receipt."""
    import asyncio

    import aiohttp
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from actions.backend import OperatorBackend
    from actions.settings import ActionSettings

    target = str(operator_server.make_url("")).rstrip("/")
    slow = {"payments": 0}

    async def proxy(request: web.Request) -> web.Response:
        async with aiohttp.ClientSession() as session:
            async with session.request(request.method, target + request.path_qs, data=await request.read(),
                                       headers={"Authorization": request.headers["Authorization"],
                                                "Content-Type": "application/json"}) as answer:
                body, status = await answer.read(), answer.status
        if request.path == "/v1/payments":
            slow["payments"] += 1
            if slow["payments"] == 1:
                await asyncio.sleep(1.0)  # charged, but the answer comes too late
        return web.Response(body=body, status=status, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    async with TestServer(app) as server:
        client = OperatorBackend(ActionSettings(backend_url=str(server.make_url("")).rstrip("/"), backend_token=TOKEN,
                                                backend_timeout_s=0.5))
        try:
            events, sent = await pay(client, domain, CONFIRMED)
        finally:
            await client.close()
    assert slow["payments"] == 2
    assert sent[0]["response"] == "utter_payment_done_topup" and sent[0]["balance"] == "108.30"
    direct = OperatorBackend(ActionSettings(backend_url=target, backend_token=TOKEN))
    try:
        assert (await direct.get_balance("13800138000"))["balance_fen"] == 10830  # 58.30 + 50.00, once
    finally:
        await direct.close()
