"""Disputing an order the customer never made, against a real backend."""

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.disputes import ActionAskDisputePackageName, ActionDisputeCharge, ValidateDisputeForm, order_words
from tests.actions.conftest import NO_DESK, make_tracker, rating_for, responses

LI = {"identity_verified": True, "verified_phone": "13900139000"}
RESET = [SlotSet("dispute_package_name", None), SlotSet("dispute_subscription_id", None)]
SAID = "这个优酷会员我没开过 每月扣十五"


def opening(text=SAID, name="优酷会员"):
    entities = [{"entity": "package_name", "value": name}] if name else []
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "dispute_charge"}, "entities": entities}}


def tracker(slots, **kwargs):
    built = make_tracker(slots, **kwargs)
    built.events = [opening()]
    return built


async def test_the_named_add_on_is_resolved_to_the_subscription(backend, domain):
    validator = ValidateDisputeForm(backend)
    result = await validator.validate_dispute_package_name(
        "优酷", CollectingDispatcher(), tracker(LI, active_loop="dispute_form"), domain
    )
    assert result == {"dispute_package_name": "优酷会员", "dispute_subscription_id": "5"}
    dispatcher = CollectingDispatcher()
    result = await validator.validate_dispute_package_name("咪咕视频会员", dispatcher, tracker(LI), domain)
    assert result == {"dispute_package_name": None}
    assert responses(dispatcher) == [{"response": "utter_dispute_no_match", "name": "咪咕视频会员"}]


async def test_the_list_names_each_add_on_with_its_order(backend, domain):
    dispatcher = CollectingDispatcher()
    await ActionAskDisputePackageName(backend).run(dispatcher, tracker(LI), domain)
    assert responses(dispatcher) == [
        {
            "response": "utter_ask_dispute_package_name",
            "options": "1. 优酷会员（15.00 元/月，2026-09-01经第三方推广订购）\n"
            "2. 彩铃（5.00 元/月，2026-09-01经短信订购）",
        }
    ]


async def test_an_unconfirmed_order_is_cancelled_with_a_refund_complaint(backend, domain):
    dispatcher = CollectingDispatcher()
    slots = {**LI, "dispute_package_name": "优酷会员", "dispute_subscription_id": "5"}
    events = await ActionDisputeCharge(backend, NO_DESK).run(dispatcher, tracker(slots), domain)
    ticket = (await backend.list_tickets("13900139000"))[0]
    assert responses(dispatcher) == [
        {
            "response": "utter_dispute_done",
            "name": "优酷会员",
            "order": "2026-09-01经第三方推广订购",
            "date": "2026-11-22",
            "ticket_id": ticket["id"],
            "refund": "30.00",
        },
    ]
    assert events == RESET + [SlotSet("opened_tickets", [f"{ticket['id']}（投诉·未经同意订购）"])] + rating_for(
        "dispute"
    )
    assert (ticket["category"], ticket["refund_fen"], ticket["description"].endswith(f"客户陈述：{SAID}")) == (
        "未经同意订购",
        3000,
        True,
    )
    names = [s["name"] for s in await backend.list_subscriptions("13900139000")]
    assert names == ["畅越套餐", "彩铃"]


async def test_an_order_confirmed_on_record_is_told_and_handed_to_an_agent(backend, domain):
    dispatcher = CollectingDispatcher()
    slots = {**LI, "dispute_package_name": "彩铃", "dispute_subscription_id": "6"}
    events = await ActionDisputeCharge(backend, NO_DESK).run(dispatcher, tracker(slots), domain)
    sent = responses(dispatcher)
    assert sent[0] == {
        "response": "utter_dispute_order_on_record",
        "name": "彩铃",
        "order": "2026-09-01经短信订购",
        "confirmation": "客户回复短信“Y”确认订购",
    }
    # No handoff service in this test: the customer is told plainly that no agent can take over now.
    assert [message["response"] for message in sent[1:]] == ["utter_handoff_failed"]
    assert events[:2] == RESET
    assert [s["status"] for s in await backend.list_subscriptions("13900139000")] == ["active", "active", "active"]
    assert await backend.list_tickets("13900139000") == []


def test_order_words():
    assert (
        order_words({"ordered_at": "2026-09-01T14:37:00+08:00", "channel": "第三方推广"})
        == "2026-09-01经第三方推广订购"
    )
    assert order_words({}) == "日期不详经其他渠道订购"
