"""Fault reports, complaints and ticket look-ups against a real backend."""

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tickets import (
    TICKET_SLOTS,
    ActionOpenTicket,
    ActionQueryTicket,
    ValidateComplaintForm,
    ValidateFaultForm,
    complaint_category,
    complaint_within_fault,
)
from tests.actions.conftest import make_tracker, rating_for, responses

ZHANG = {"identity_verified": True, "verified_phone": "13800138000", "phone_number": "13800138000"}
RESET = [SlotSet(slot, None) for slot in TICKET_SLOTS]


@pytest.mark.parametrize(
    "text, category",
    [
        ("你们乱扣我话费", "计费争议"),
        ("天天打电话推销烦死了", "营销骚扰"),
        ("营业员态度太差", "服务态度"),
        ("报修三天了没人管", "处理时效"),
        ("我要投诉", None),  # nothing said about what: ask
    ],
)
def test_complaint_category(text, category):
    assert complaint_category(text) == category


async def test_fault_report_takes_type_and_description_from_the_first_message(backend, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        ZHANG,
        text="家里宽带断网了一整天，光猫红灯一直闪",
        intent="report_fault",
        entities=[{"entity": "fault_type", "value": "断网"}],
        active_loop="fault_form",
    )
    events = await ValidateFaultForm(backend).run(dispatcher, tracker, domain)
    assert events == [
        SlotSet("fault_type", "断网"),
        SlotSet("fault_description", "家里宽带断网了一整天，光猫红灯一直闪"),
        SlotSet("requested_slot", "fault_address"),
    ]


async def test_complaint_takes_category_and_description(backend, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        ZHANG, text="你们这个月乱扣我话费，我要投诉", intent="complain", active_loop="complaint_form"
    )
    events = await ValidateComplaintForm(backend).run(dispatcher, tracker, domain)
    assert events == [
        SlotSet("complaint_category", "计费争议"),
        SlotSet("complaint_description", "你们这个月乱扣我话费，我要投诉"),
        SlotSet("requested_slot", None),
    ]


async def open_ticket(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionOpenTicket(backend).run(dispatcher, make_tracker({**ZHANG, **slots}), domain)
    return events, responses(dispatcher)


async def test_urgent_fault_ticket_is_opened_and_found_again(backend, domain):
    events, sent = await open_ticket(
        backend, domain, {"fault_type": "断网", "fault_description": "光猫红灯", "fault_address": "科技园路1号"}
    )
    # The number is kept for an agent who may take over later in the conversation.
    assert events == RESET + [SlotSet("opened_tickets", ["T20261122001（故障报修·断网）"])] + rating_for("ticket")
    assert sent == [
        {
            "response": "utter_ticket_opened",
            "kind": "故障报修",
            "ticket_id": "T20261122001",
            "response_time": "我们会立即安排处理",
            "sla_due": "2026-11-22 11:00",
        },
    ]
    dispatcher = CollectingDispatcher()
    await ActionQueryTicket(backend).run(dispatcher, make_tracker({**ZHANG, "ticket_id": "T20261122001"}), domain)
    assert responses(dispatcher) == [
        {
            "response": "utter_ticket_status",
            "ticket_id": "T20261122001",
            "kind": "故障报修",
            "category": "断网",
            "status": "待处理",
            "note": "工单已创建",
            "at": "2026-11-22 10:00",
        },
    ]


async def test_billing_complaint_promises_72_hours(backend, domain):
    _, sent = await open_ticket(backend, domain, {"complaint_category": "计费争议", "complaint_description": "乱扣费"})
    assert sent[0]["response_time"] == "我们将在72小时内回复您"
    assert sent[0]["kind"] == "投诉"


async def test_latest_ticket_without_a_number(backend, domain):
    dispatcher = CollectingDispatcher()
    events = await ActionQueryTicket(backend).run(dispatcher, make_tracker(ZHANG), domain)
    assert events == [SlotSet("ticket_id", None), *rating_for("ticket_query")]
    assert responses(dispatcher) == [
        {
            "response": "utter_ticket_status",
            "ticket_id": "T20261120001",
            "kind": "故障报修",
            "category": "断网",
            "status": "处理中",
            "note": "已派单装维人员，预约上门检修",
            "at": "2026-11-20 10:05",
        },
    ]


async def test_another_lines_ticket_is_not_shown(backend, domain):
    dispatcher = CollectingDispatcher()
    slots = {"identity_verified": True, "verified_phone": "13900139000", "ticket_id": "T20261120001"}
    await ActionQueryTicket(backend).run(dispatcher, make_tracker(slots), domain)
    assert responses(dispatcher) == [{"response": "utter_ticket_not_found", "ticket_id": "T20261120001"}]


@pytest.mark.parametrize(
    "text, intent", [("算了不报了", "deny"), ("我话费还有多少", "check_balance"), ("查下工单", "query_ticket")]
)
async def test_giving_up_or_asking_something_else_is_not_a_description(backend, domain, text, intent):
    dispatcher = CollectingDispatcher()
    slots = {**ZHANG, "fault_type": "断网", "requested_slot": "fault_description"}
    tracker = make_tracker(slots, text=text, intent=intent, active_loop="fault_form")
    events = await ValidateFaultForm(backend).run(dispatcher, tracker, domain)
    # Nothing but the same question again: Rasa rejects the form and the repair rules take over.
    assert events == [SlotSet("requested_slot", "fault_description")]


@pytest.mark.parametrize(
    "text, category",
    [
        ("宽带一下雨就断网，打了三次客服都没人来", "处理时效"),
        ("网速慢得要命，上门那个师傅态度还很差，我要投诉", "服务态度"),
        ("断网好几天了 交了钱用不了 必须退钱", "计费争议"),  # 好几天 is not 好几次: the money is the complaint
        ("家里断网了", None),  # only the fault
        ("信号很差 我要投诉", "处理时效"),  # a complaint, of nothing more specific than the fault
    ],
)
def test_complaint_within_a_fault_report(text, category):
    assert complaint_within_fault(text) == category


async def test_a_fault_report_that_complains_opens_the_fault_ticket_and_records_the_complaint(backend, domain):
    description = "宽带一下雨就断网，打了三次客服都没人来"
    events, sent = await open_ticket(
        backend, domain, {"fault_type": "断网", "fault_description": description, "fault_address": "科技园路1号"}
    )
    opened = ["T20261122001（故障报修·断网）", "T20261122002（投诉·处理时效）"]
    assert events == RESET + [SlotSet("opened_tickets", opened)] + rating_for("ticket")
    assert [(m["response"], m.get("kind"), m.get("ticket_id")) for m in sent] == [
        ("utter_ticket_opened", "故障报修", "T20261122001"),
        ("utter_ticket_opened", "投诉", "T20261122002"),
    ]
    tickets = {t["id"]: t for t in await backend.list_tickets("13800138000")}
    assert (tickets["T20261122002"]["category"], tickets["T20261122002"]["description"]) == (
        "处理时效",
        f"随故障报修 T20261122001 一并反映：{description}",
    )
