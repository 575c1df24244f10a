"""ActionQueryBill against a real backend."""

import datetime as dt

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.bills import ActionQueryBill
from tests.actions.conftest import NO_DESK, make_tracker, rating_for, responses

ZHANG = {"identity_verified": True, "verified_phone": "13800138000"}
RESET = [SlotSet("month", None), SlotSet("bill_type", None)]


async def query(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    action = ActionQueryBill(backend, today=lambda: dt.date(2026, 11, 22))
    events = await action.run(dispatcher, make_tracker(slots), domain)
    return events, responses(dispatcher)


async def test_last_months_phone_bill_with_items(backend, domain):
    events, sent = await query(backend, domain, {**ZHANG, "month": "上个月", "bill_type": "话费"})
    assert events == RESET + rating_for("bill")
    assert sent == [
        {"response": "utter_bill_paid", "month": "10月", "bill_type": "话费", "total": "211.60"},
        {
            "response": "utter_bill_items",
            "items": "· 冰激凌套餐月费 129.00 元\n· 视频会员流量包月费 20.00 元\n· 国际及港澳台漫游通话 12.60 元\n"
            "· 国内流量超出套餐10GB（5元/GB） 50.00 元",
        },
    ]


async def test_this_months_bills_show_the_unpaid_broadband(backend, domain):
    _, sent = await query(backend, domain, ZHANG)
    assert [message["response"] for message in sent] == [
        "utter_bill_unpaid",
        "utter_bill_items",
        "utter_bill_paid",
        "utter_bill_items",
    ]
    assert sent[0] == {
        "response": "utter_bill_unpaid",
        "month": "11月",
        "bill_type": "宽带",
        "total": "100.00",
        "outstanding": "100.00",
    }


async def test_a_month_without_bills(backend, domain):
    _, sent = await query(backend, domain, {**ZHANG, "month": "3月", "bill_type": "宽带"})
    assert sent == [{"response": "utter_no_bill", "month": "3月", "bill_type": "宽带"}]


async def test_an_invalid_month_is_explained(backend, domain):
    events, sent = await query(backend, domain, {**ZHANG, "month": "下个月"})
    assert (events, sent) == (RESET, [{"response": "utter_invalid_month"}])


async def test_a_locked_out_customer_is_handed_to_an_agent(backend, domain):
    dispatcher = CollectingDispatcher()
    action = ActionQueryBill(backend, desk=NO_DESK)
    events = await action.run(dispatcher, make_tracker({"identity_locked": True}), domain)
    assert (events, responses(dispatcher)) == (RESET, [{"response": "utter_handoff_failed"}])
