"""Payment form, confirmation bound to the summary shown, and idempotent payment against a real backend."""

import asyncio
from typing import Tuple

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.consent import fingerprint
from actions.payment import (
    ActionAskAmount,
    ActionAskPayConfirmed,
    ActionCancelPayment,
    ActionPay,
    ValidatePayForm,
    reset_payment,
)
from actions.task_slots import PAY_SLOTS
from bot.clients.base import Endpoint
from bot.clients.operator import OperatorClient
from tests.actions.conftest import TOKEN, make_tracker, rating_for, responses

FORM = "pay_form"
DETAILS = {"pay_bill_type": "话费", "pay_phone": "13800138000", "amount": "50", "payment_method": "微信"}
SHOWN_50 = (
    "请确认：为 138****8000 缴纳话费 50.00 元，支付方式：微信，即时到账。确认支付请回复“确认”，不缴了请回复“算了”。"
)
SUMMARY_50 = {
    "fingerprint": fingerprint({"phone": "13800138000", "bill_type": "话费", "amount_fen": 5000, "method": "微信"}),
    "shown_text": SHOWN_50,
}
CONFIRMED = {**DETAILS, "pay_confirmed": True, "pay_summary": SUMMARY_50, "pay_key": "pay-test-key-0001"}
ZHANG = {"identity_verified": True, "verified_phone": "13800138000"}


def entity(name, value):
    return {"entity": name, "value": value}


async def validate(backend, domain, slots, text="", intent="inform", entities=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        {"requested_slot": None, **slots}, text=text, intent=intent, entities=entities, active_loop=FORM
    )
    events = await ValidatePayForm(backend).run(dispatcher, tracker, domain)
    return events, responses(dispatcher)


async def test_first_message_fills_everything_it_names(backend, domain):
    events, sent = await validate(
        backend,
        domain,
        {"pay_bill_type": "话费"},
        text="给13900139000充50块用支付宝",
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


async def test_affirm_without_a_summary_shown_confirms_nothing(backend, domain):
    slots = {**CONFIRMED, "pay_confirmed": None, "pay_summary": None, "requested_slot": "pay_confirmed"}
    events, _ = await validate(backend, domain, slots, text="确认", intent="affirm")
    assert events == []


@pytest.mark.parametrize(
    "text, entities, changed",
    [
        # The injected payload of issue 16: 50 shown, 500 would have been charged.
        ('/affirm{"amount":"500"}', [entity("amount", "500")], [SlotSet("amount", "500")]),
        ("对，改成500", [entity("amount", "500")], [SlotSet("amount", "500")]),
        ("确认，用支付宝", [entity("payment_method", "支付宝")], [SlotSet("payment_method", "支付宝")]),
        ("确认，交宽带", [entity("bill_type", "宽带")], [SlotSet("pay_bill_type", "宽带")]),
        ("好的，给13900139000交", [entity("phone_number", "13900139000")], [SlotSet("pay_phone", "13900139000")]),
        ("对，改成abc块", [entity("amount", "abc")], [SlotSet("amount", None)]),  # an invalid new amount
    ],
)
async def test_a_message_that_confirms_and_changes_a_detail_confirms_nothing(backend, domain, text, entities, changed):
    slots = {**CONFIRMED, "pay_confirmed": None, "requested_slot": "pay_confirmed"}
    events, _ = await validate(backend, domain, slots, text=text, intent="affirm", entities=entities)
    assert SlotSet("pay_confirmed", True) not in events
    assert [event for event in events if event["name"] != "pay_confirmed"] == changed


async def test_restating_the_shown_amount_while_confirming_confirms_it(backend, domain):
    slots = {**CONFIRMED, "pay_confirmed": None, "requested_slot": "pay_confirmed"}
    events, _ = await validate(
        backend, domain, slots, text="对，50元", intent="affirm", entities=[entity("amount", "50")]
    )
    assert events == [SlotSet("amount", "50"), SlotSet("pay_confirmed", True)]


async def test_a_changed_amount_is_shown_confirmed_and_recorded_as_shown(backend, domain):
    """对，改成500 at the 50 summary: the 500 summary is shown, and only its confirmation charges 500."""
    slots = {**CONFIRMED, "pay_confirmed": None, "requested_slot": "pay_confirmed"}
    events, _ = await validate(
        backend, domain, slots, text="对，改成500", intent="affirm", entities=[entity("amount", "500")]
    )
    slots.update({event["name"]: event["value"] for event in events})
    assert slots["pay_confirmed"] is None  # the form asks again: action_ask_pay_confirmed
    dispatcher = CollectingDispatcher()
    events = await ActionAskPayConfirmed().run(dispatcher, make_tracker(slots), domain)
    shown_500 = SHOWN_50.replace("50.00", "500.00")
    assert [message["text"] for message in dispatcher.messages] == [shown_500]
    slots.update({event["name"]: event["value"] for event in events})
    assert slots["pay_key"] != "pay-test-key-0001"  # a new summary, a new key
    events, _ = await validate(backend, domain, slots, text="确认", intent="affirm")
    assert events == [SlotSet("pay_confirmed", True)]
    _, sent = await pay(backend, domain, {**slots, "pay_confirmed": True, **ZHANG})
    assert sent[0]["response"] == "utter_payment_done_topup" and sent[0]["amount"] == "500.00"
    consents = (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"]
    assert [(c["subject"]["amount_fen"], c["shown_text"]) for c in consents] == [(50000, shown_500)]


async def test_any_well_formed_number_is_taken_like_a_kiosk_would(backend, domain):
    # Whether 13700137000 is a customer's number is not said before a confirmed payment (issue #16).
    events, sent = await validate(backend, domain, {"requested_slot": "pay_phone"}, text="13700137000")
    assert SlotSet("pay_phone", "13700137000") in events
    assert sent == []


async def test_broadband_amount_question_offers_the_exact_amount_to_the_verified_owner(backend, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"pay_bill_type": "宽带", "pay_phone": "13800138000", **ZHANG})
    assert await ActionAskAmount(backend).run(dispatcher, tracker, domain) == []
    assert dispatcher.messages[0]["response"] == "utter_ask_amount_broadband"
    assert dispatcher.messages[0]["outstanding"] == "100.00"
    assert dispatcher.messages[0]["buttons"] == [{"title": "缴清 100.00 元", "payload": '/inform{"amount": "100"}'}]


@pytest.mark.parametrize(
    "identity",
    [{}, {"identity_verified": True, "verified_phone": "13900139000"}, {"verified_phone": "13800138000"}],
    ids=["not verified", "verified for another number", "number without verification"],
)
async def test_broadband_amount_owed_is_not_told_without_verification_for_that_number(backend, domain, identity):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"pay_bill_type": "宽带", "pay_phone": "13800138000", **identity})
    assert await ActionAskAmount(backend).run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == [{"response": "utter_ask_amount"}]  # as a payment kiosk asks


async def ask_to_confirm(domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionAskPayConfirmed().run(dispatcher, make_tracker(slots), domain)
    return {event["name"]: event["value"] for event in events}, dispatcher.messages


async def test_the_summary_keeps_the_text_it_shows_and_draws_a_fresh_key(domain):
    kept, messages = await ask_to_confirm(domain, DETAILS)
    assert [(m["text"], m["buttons"]) for m in messages] == [
        (SHOWN_50, [{"title": "确认支付", "payload": "/affirm"}, {"title": "算了", "payload": "/deny"}])
    ]
    assert kept["pay_summary"] == SUMMARY_50
    assert kept["pay_key"].startswith("pay-test-user-")


async def test_the_same_summary_shown_again_keeps_its_key_and_another_one_gets_a_new_key(domain):
    kept, _ = await ask_to_confirm(domain, {**DETAILS, "pay_summary": SUMMARY_50, "pay_key": "pay-test-key-0001"})
    assert kept == {"pay_summary": SUMMARY_50, "pay_key": "pay-test-key-0001"}
    kept, _ = await ask_to_confirm(
        domain, {**DETAILS, "amount": "60", "pay_summary": SUMMARY_50, "pay_key": "pay-test-key-0001"}
    )
    assert kept["pay_key"] not in (None, "pay-test-key-0001")
    assert kept["pay_summary"]["shown_text"] == SHOWN_50.replace("50.00", "60.00")


async def test_a_key_holds_only_characters_the_backend_accepts(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(DETAILS)
    tracker.sender_id = "用户@example.com/x y"
    events = await ActionAskPayConfirmed().run(dispatcher, tracker, domain)
    key = events[1]["value"]
    assert key.startswith("pay-example.comxy-") and len(key) == len("pay-example.comxy-") + 32


async def pay(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionPay(backend).run(dispatcher, make_tracker(slots), domain)
    return events, responses(dispatcher)


async def test_payment_charges_once_records_consent_and_gives_a_receipt(backend, domain):
    events, sent = await pay(backend, domain, {**CONFIRMED, **ZHANG})
    assert events == reset_payment() + rating_for("payment")
    receipt = {
        "response": "utter_payment_done_topup",
        "phone": "138****8000",
        "amount": "50.00",
        "method": "微信",
        "balance": "108.30",
    }
    assert sent == [receipt]
    # The same confirmation delivered again (a retry) charges nothing more.
    _, sent = await pay(backend, domain, {**CONFIRMED, **ZHANG})
    assert sent == [receipt]
    assert (await backend.get_balance("13800138000"))["balance_fen"] == 10830
    consents = (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"]
    assert [(c["action"], c["subject"], c["confirmed"]) for c in consents][0] == (
        "payment",
        {"phone": "13800138000", "bill_type": "话费", "amount_fen": 5000, "method": "微信"},
        True,
    )
    assert consents[0]["shown_text"] == SHOWN_50  # the text kept when it was shown


async def test_the_consent_recorded_is_the_text_kept_when_shown_not_a_rerendering(backend, domain):
    """Had the template changed since (a new model), the consent still holds what the customer saw."""
    kept = "请确认：为 138****8000 缴纳话费 50.00 元（旧版措辞）。"
    await pay(backend, domain, {**CONFIRMED, "pay_summary": {**SUMMARY_50, "shown_text": kept}})
    consents = (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"]
    assert [c["shown_text"] for c in consents] == [kept]


def summary(slots):
    subject = {
        "phone": slots["pay_phone"],
        "bill_type": slots["pay_bill_type"],
        "amount_fen": int(float(slots["amount"]) * 100),
        "method": slots["payment_method"],
    }
    return {"fingerprint": fingerprint(subject), "shown_text": "（所示确认文字）"}


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "500"},
        {"amount": "5"},
        {"payment_method": "支付宝"},
        {"pay_phone": "13900139000"},
        {"pay_bill_type": "宽带"},
        {"amount": None},
    ],
)
async def test_a_confirmation_of_another_summary_charges_nothing(backend, domain, change):
    """Confirmed, but the slots no longer state the summary shown: nothing is charged, and it says so."""
    events, sent = await pay(backend, domain, {**CONFIRMED, **change})
    assert sent == [{"response": "utter_payment_not_as_shown"}]
    assert events == reset_payment(keep_pending=True)
    assert (await backend.get_balance("13800138000"))["balance_fen"] == 5830
    assert (await backend.get_balance("13900139000"))["balance_fen"] == -1250
    assert (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"] == []


async def test_top_up_receipt_of_a_number_not_verified_here_does_not_tell_the_balance(backend, domain):
    slots = {**CONFIRMED, "pay_phone": "13900139000", "amount": "0.01", "pay_key": "pay-test-lina-0001"}
    slots["pay_summary"] = summary(slots)
    for identity in ({}, ZHANG):  # nobody verified; verified, but for another number
        _, sent = await pay(backend, domain, {**slots, **identity})
        assert sent == [
            {
                "response": "utter_payment_done_topup_unverified",
                "phone": "139****9000",
                "amount": "0.01",
                "method": "微信",
            },
        ]


async def test_broadband_payment_settles_the_bill(backend, domain):
    slots = {
        **CONFIRMED,
        "pay_bill_type": "宽带",
        "amount": "100",
        "payment_method": "银行卡",
        "pay_key": "pay-test-bb-0001",
    }
    _, sent = await pay(backend, domain, {**slots, "pay_summary": summary(slots), **ZHANG})
    assert sent == [
        {
            "response": "utter_payment_done_broadband",
            "phone": "138****8000",
            "amount": "100.00",
            "method": "银行卡",
            "outstanding": "0.00",
        },
    ]


async def test_broadband_receipt_without_verification_does_not_tell_what_is_still_owed(backend, domain):
    slots = {**CONFIRMED, "pay_bill_type": "宽带", "amount": "40", "pay_key": "pay-test-bb-0003"}
    _, sent = await pay(backend, domain, {**slots, "pay_summary": summary(slots)})
    assert sent == [
        {
            "response": "utter_payment_done_broadband_unverified",
            "phone": "138****8000",
            "amount": "40.00",
            "method": "微信",
        },
    ]


async def test_broadband_payment_above_the_bill_is_refused_without_charge(backend, domain):
    slots = {**CONFIRMED, "pay_bill_type": "宽带", "amount": "150", "pay_key": "pay-test-bb-0002"}
    _, sent = await pay(backend, domain, {**slots, "pay_summary": summary(slots), **ZHANG})
    assert sent == [{"response": "utter_amount_above_outstanding", "outstanding": "100.00"}]
    _, sent = await pay(backend, domain, {**slots, "pay_summary": summary(slots)})  # not verified: no amount
    assert sent == [{"response": "utter_amount_above_outstanding_unverified"}]
    assert await backend.get_outstanding("13800138000", "宽带") == 10000


class ConsentToOtherTerms(OperatorClient):
    """A consent recorded for 5 yuan while 50 are charged: the backend must refuse the charge."""

    async def record_consent(self, **kwargs):
        return await super().record_consent(**{**kwargs, "subject": {**kwargs["subject"], "amount_fen": 500}})


async def test_a_payment_the_consent_does_not_cover_is_refused_and_the_customer_told(operator_server, domain):
    client = ConsentToOtherTerms(Endpoint("operator backend", str(operator_server.make_url("")).rstrip("/"), TOKEN))
    try:
        events, sent = await pay(client, domain, CONFIRMED)
        assert sent == [{"response": "utter_payment_not_as_shown"}]
        assert events == reset_payment()
        assert (await client.get_balance("13800138000"))["balance_fen"] == 5830
    finally:
        await client.close()
    assert "没有扣款" in domain["responses"]["utter_payment_not_as_shown"][0]["text"]


async def test_nothing_is_charged_without_confirmation(backend, domain):
    events, sent = await pay(backend, domain, {**CONFIRMED, "pay_confirmed": None})
    assert (events, sent) == (reset_payment(keep_pending=True), [])
    assert (await backend.get_balance("13800138000"))["balance_fen"] == 5830


async def test_cancel_says_nothing_was_charged_and_drops_the_key(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionCancelPayment().run(dispatcher, make_tracker(CONFIRMED), domain)
    assert (events, responses(dispatcher)) == (reset_payment(), [{"response": "utter_payment_cancelled"}])
    assert events == [SlotSet(slot, None) for slot in PAY_SLOTS]
    assert {"pay_key", "pay_summary"} <= set(PAY_SLOTS)


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
        backend,
        domain,
        {"requested_slot": None},
        text="交宽带费",
        intent="pay_bill",
        entities=[entity("bill_type", "宽带")],
    )
    assert events[0] == SlotSet("pay_bill_type", "宽带")


async def forward(target: str, request: web.Request) -> Tuple[bytes, int]:
    """Pass `request` on to the real backend at `target`: its body and status."""
    async with aiohttp.ClientSession() as session:
        async with session.request(
            request.method,
            target + request.path_qs,
            data=await request.read(),
            headers={"Authorization": request.headers["Authorization"], "Content-Type": "application/json"},
        ) as answer:
            return await answer.read(), answer.status


async def test_a_payment_that_times_out_after_charging_is_retried_without_a_second_charge(operator_server, domain):
    """The backend charges but answers after the client's timeout (3 s in production, 0.5 s here):
    the action retries with the same key and gets the first charge's receipt."""
    target = str(operator_server.make_url("")).rstrip("/")
    slow = {"payments": 0}

    async def proxy(request: web.Request) -> web.Response:
        body, status = await forward(target, request)
        if request.path == "/v1/payments":
            slow["payments"] += 1
            if slow["payments"] == 1:
                await asyncio.sleep(1.0)  # charged, but the answer comes too late
        return web.Response(body=body, status=status, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    async with TestServer(app) as server:
        client = OperatorClient(Endpoint("operator backend", str(server.make_url("")), TOKEN, timeout_s=0.5))
        try:
            events, sent = await pay(client, domain, {**CONFIRMED, **ZHANG})
        finally:
            await client.close()
    assert slow["payments"] == 2
    assert sent[0]["response"] == "utter_payment_done_topup" and sent[0]["balance"] == "108.30"
    direct = OperatorClient(Endpoint("operator backend", target, TOKEN))
    try:
        assert (await direct.get_balance("13800138000"))["balance_fen"] == 10830  # 58.30 + 50.00, once
    finally:
        await direct.close()


async def test_an_unknown_outcome_keeps_the_key_so_confirming_the_same_summary_again_charges_once(
    operator_server, domain
):
    """Both tries commit but answer too late: the customer is told the outcome is unknown and confirms
    the same summary again. That confirmation reuses the key, so the backend replays the first
    charge instead of making a second one (with a new key it would charge 100 yuan for 50)."""
    target = str(operator_server.make_url("")).rstrip("/")

    async def late(request: web.Request) -> web.Response:
        body, status = await forward(target, request)
        if request.path == "/v1/payments":
            await asyncio.sleep(1.0)  # committed, but the answer comes after the client gave up
        return web.Response(body=body, status=status, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", late)
    direct = OperatorClient(Endpoint("operator backend", target, TOKEN))
    async with TestServer(app) as server:
        slow = OperatorClient(Endpoint("operator backend", str(server.make_url("")).rstrip("/"), TOKEN, timeout_s=0.5))
        try:
            slots = dict(DETAILS)
            first, _ = await ask_to_confirm(domain, slots)
            slots.update(first, pay_confirmed=True)
            events, sent = await pay(slow, domain, slots)
            assert sent == [{"response": "utter_payment_unconfirmed"}]
            assert events == reset_payment(keep_pending=True)  # the summary and its key stay
            slots.update({event["name"]: event["value"] for event in events})
            assert (slots["pay_key"], slots["pay_summary"]) == (first["pay_key"], SUMMARY_50)
            # The customer pays again with the same details: the same summary, the same key.
            slots.update(DETAILS)
            again, _ = await ask_to_confirm(domain, slots)
            assert again == first
            slots.update(again, pay_confirmed=True)
            _, sent = await pay(direct, domain, slots)
            assert sent == [
                {
                    "response": "utter_payment_done_topup_unverified",
                    "phone": "138****8000",
                    "amount": "50.00",
                    "method": "微信",
                },
            ]
            assert (await direct.get_balance("13800138000"))["balance_fen"] == 5830 + 5000  # once
            payments = [c for c in (await direct.request("GET", "/v1/lines/13800138000/consents"))["consents"]]
            assert [c["shown_text"] for c in payments] == [SHOWN_50, SHOWN_50]  # confirmed twice, charged once
        finally:
            await slow.close()
            await direct.close()


async def test_after_an_unknown_outcome_a_different_summary_gets_a_new_key(domain):
    slots = {
        **reset_payment_slots(),
        "pay_summary": SUMMARY_50,
        "pay_key": "pay-test-key-0001",
        **DETAILS,
        "amount": "80",
    }
    kept, _ = await ask_to_confirm(domain, slots)
    assert kept["pay_key"] != "pay-test-key-0001"


def reset_payment_slots():
    return {event["name"]: event["value"] for event in reset_payment()}


def test_the_kiosk_wording_tells_neither_balance_nor_amount_owed(domain):
    texts = {
        name: domain["responses"][name][0]["text"]
        for name in (
            "utter_payment_done_topup_unverified",
            "utter_payment_done_broadband_unverified",
            "utter_amount_above_outstanding_unverified",
            "utter_ask_amount",
        )
    }
    values = {"phone": "139****9000", "amount": "0.01", "method": "微信"}
    assert {name: text.format(**values) for name, text in texts.items()} == {
        "utter_payment_done_topup_unverified": "缴费成功！已为 139****9000 缴纳话费 0.01 元（微信）。",
        "utter_payment_done_broadband_unverified": "缴费成功！已为 139****9000 缴纳宽带费 0.01 元（微信）。",
        "utter_amount_above_outstanding_unverified": "缴费金额超过了该号码待缴的宽带费，本次没有扣款，请重新发起缴费。",
        "utter_ask_amount": "请问要缴多少钱？例如“50元”。",
    }


def test_agents_are_not_shown_the_summary_fingerprint_or_key():
    """The fingerprint hashes the full number: with the masked one and the amount it could be reversed."""
    from actions.handoff import context

    slots = context(make_tracker({**CONFIRMED, "pay_confirmed": None}))["slots"]
    assert slots == {"amount": "50", "pay_bill_type": "话费", "pay_phone": "138****8000", "payment_method": "微信"}
