"""ActionCheckBalance against a real backend."""

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.balance import ActionCheckBalance, wanted_types
from tests.actions.conftest import NO_DESK, make_tracker, rating_for, responses

ZHANG = {"identity_verified": True, "verified_phone": "13800138000"}
LI = {"identity_verified": True, "verified_phone": "13900139000"}


async def check(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionCheckBalance(backend).run(dispatcher, make_tracker(slots), domain)
    return events, responses(dispatcher)


@pytest.mark.parametrize(
    "asked, expected",
    [
        (None, ["话费", "流量", "语音"]),  # nothing asked: all three
        ("流量", ["流量"]),  # a single value
        (["语音", "话费"], ["话费", "语音"]),  # several, in the canonical order
        (["积分"], ["话费", "流量", "语音"]),  # nothing we know: all three
    ],
)
def test_wanted_types(asked, expected):
    assert wanted_types(asked) == expected


async def test_all_balances_of_zhang_wei(backend, domain):
    events, sent = await check(backend, domain, ZHANG)
    seen = SlotSet("balance_seen", {"at": "2026-11-22T10:00:00+08:00", "balance_fen": 5830})
    assert events == [SlotSet("balance_type", None), SlotSet("bill_type", None), seen, *rating_for("balance")]
    assert sent == [
        {"response": "utter_balance_money", "balance": "58.30"},
        {"response": "utter_balance_data", "total": "40GB", "used": "27.5GB", "left": "12.5GB"},
        {"response": "utter_balance_voice", "total": 500, "used": 180, "left": 320},
    ]


async def test_arrears_are_stated_plainly(backend, domain):
    _, sent = await check(backend, domain, {**LI, "balance_type": ["话费"]})
    assert sent == [{"response": "utter_balance_arrears", "arrears": "12.50"}]


async def test_a_locked_out_customer_is_handed_to_an_agent(backend, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"identity_locked": True, "phone_number": "13800138000"})
    events = await ActionCheckBalance(backend, NO_DESK).run(dispatcher, tracker, domain)
    # No handoff service in this test: the customer is told plainly (tests/actions/test_handoff.py queues).
    assert (events, responses(dispatcher)) == (
        [SlotSet("balance_type", None), SlotSet("bill_type", None)],
        [{"response": "utter_handoff_failed"}],
    )


async def test_asked_in_the_middle_of_another_task_before_identity(backend, domain):
    events, sent = await check(backend, domain, {"identity_verified": False})
    assert (events, sent) == (
        [SlotSet("balance_type", None), SlotSet("bill_type", None)],
        [{"response": "utter_balance_needs_identity"}],
    )


async def test_the_phone_bill_type_asks_for_the_money_balance(backend, domain):
    _, sent = await check(backend, domain, {**ZHANG, "bill_type": "话费"})
    assert sent == [{"response": "utter_balance_money", "balance": "58.30"}]


async def test_asked_in_the_middle_of_paying_answers_without_the_rating_question(backend, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({**ZHANG, "balance_type": ["话费"]}, active_loop="pay_form")
    events = await ActionCheckBalance(backend).run(dispatcher, tracker, domain)
    assert (events, responses(dispatcher)) == (
        [
            SlotSet("balance_type", None),
            SlotSet("bill_type", None),
            SlotSet("balance_seen", {"at": "2026-11-22T10:00:00+08:00", "balance_fen": 5830}),
        ],
        [{"response": "utter_balance_money", "balance": "58.30"}],
    )
