"""Handing off to an agent from the actions, against a real handoff service and operator backend."""

from typing import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    TASK_SLOTS,
    ActionClarify,
    ActionHandoff,
    ActionOpenCallback,
    ActionResumeAfterHandoff,
    context,
    said_last,
    transcript,
)
from bot.clients.base import Endpoint
from bot.clients.desk import DeskClient
from bot.services.desk import agents
from bot.services.desk.app import create_app
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.settings import HandoffSettings
from tests.actions.conftest import customs, make_tracker, responses
from tests.support import FakeClock

TOKEN = "handoff-action-token-0123456789"
EVENTS = [
    {
        "event": "user",
        "text": "查一下13800138000的话费",
        "parse_data": {"intent": {"name": "check_balance", "confidence": 0.97}},
        "timestamp": 1795312500.25,  # 2026-11-22 09:55:00.25 China time
    },
    {"event": "bot", "text": "请输入该号码的6位服务密码。", "timestamp": 1795312501},
    {"event": "user", "text": "123456", "parse_data": {"intent": {"name": "inform", "confidence": 0.88}}},
    {"event": "user", "text": "转人工", "parse_data": {"intent": {"name": "request_human", "confidence": 0.99}}},
]
SLOTS = {
    "identity_verified": True,
    "verified_phone": "13800138000",
    "customer_name": "张伟",
    "service_password": "******",
    "pay_key": "pay-x",
    "phone_number": "13800138000",
}


@pytest.fixture
async def handoff_server(tmp_path) -> AsyncIterator[TestServer]:
    settings = HandoffSettings(
        database_url=f"sqlite:///{tmp_path / 'handoff.db'}",
        service_token=TOKEN,
        rasa_url="http://127.0.0.1:9",
        rasa_token="rasa-token-0123456789",
    )
    app = create_app(settings, clock=FakeClock(), retry=False)
    async with TestServer(app) as server:
        await agents.create_agent(app[SERVICE_KEY].db, username="1001", name="王芳", password="password-1001")
        yield server


@pytest.fixture
async def desk(handoff_server) -> AsyncIterator[DeskClient]:
    client = DeskClient(Endpoint("handoff service", str(handoff_server.make_url("")).rstrip("/"), TOKEN))
    yield client
    await client.close()


@pytest.fixture
async def agent_online(handoff_server) -> AsyncIterator[None]:
    origin = {"Origin": str(handoff_server.make_url("")).rstrip("/")}  # as a browser: the console's Origin check
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers=origin) as session:
        await session.post(
            handoff_server.make_url("/api/login"), json={"username": "1001", "password": "password-1001"}
        )
        async with session.ws_connect(handoff_server.make_url("/ws")) as socket:
            await socket.receive_json()
            yield


def tracker(**kwargs):
    built = make_tracker(SLOTS, text="转人工", intent="request_human", **kwargs)
    built.events = list(EVENTS)
    return built


def test_the_transcript_masks_numbers_and_passwords():
    assert transcript(tracker()) == [
        {
            "role": "customer",
            "text": "查一下138****8000的话费",
            "intent": "check_balance",
            "confidence": 0.97,
            "at": "2026-11-22T01:55:00.250000+00:00",
        },
        {"role": "bot", "text": "请输入该号码的6位服务密码。", "at": "2026-11-22T01:55:01+00:00"},
        {"role": "customer", "text": "******", "intent": "inform", "confidence": 0.88},
        {"role": "customer", "text": "转人工", "intent": "request_human", "confidence": 0.99},
    ]
    assert context(tracker())["slots"] == {
        "customer_name": "张伟",
        "identity_verified": True,
        "phone_number": "138****8000",
        "verified_phone": "138****8000",
    }


async def test_handoff_queues_a_case_and_pauses_the_bot(desk, agent_online, handoff_server):
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff(desk=desk).run(dispatcher, tracker(active_loop="pay_form"), {})
    assert events == [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        *[SlotSet(s, None) for s in TASK_SLOTS],
        ConversationPaused(),
    ]
    assert responses(dispatcher) == [{"response": "utter_handoff_queued_next", "wait": 4}]
    assert customs(dispatcher) == [{"handoff": {"state": "queued"}}]  # the widget's header and typing dots
    db = handoff_server.app[SERVICE_KEY].db
    from bot.services.desk import cases

    case = await cases.open_case_for(db, "test-user")
    assert (case["reason"], case["masked_phone"], case["verified"], case["status"]) == (
        "requested",
        "138****8000",
        True,
        "queued",
    )
    said = await cases.transcript(db, case["id"])
    assert said[2]["text"] == "******"
    # Each message keeps the time it was said (the case is created at 10:00).
    assert [m["at"] for m in said[:2]] == ["2026-11-22T09:55:00+08:00", "2026-11-22T09:55:01+08:00"]


async def test_the_customer_hears_how_many_are_ahead_not_their_own_place(desk, agent_online, handoff_server):
    await ActionHandoff(desk=desk).run(CollectingDispatcher(), tracker(), {})
    second = tracker()
    second.sender_id = "second-customer"
    dispatcher = CollectingDispatcher()
    await ActionHandoff(desk=desk).run(dispatcher, second, {})
    assert responses(dispatcher) == [{"response": "utter_handoff_queued", "ahead": 1, "wait": 8}]


async def test_without_agents_a_callback_is_offered_and_the_bot_stays(desk):
    dispatcher = CollectingDispatcher()
    assert await ActionHandoff(desk=desk).run(dispatcher, tracker(), {}) == []
    assert responses(dispatcher) == [{"response": "utter_handoff_no_agent"}]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/request_callback", "/deny"]


async def test_an_unreachable_handoff_service_is_said_plainly():
    desk = DeskClient(Endpoint("handoff service", "http://127.0.0.1:9", TOKEN))
    dispatcher = CollectingDispatcher()
    assert await ActionHandoff(desk=desk).run(dispatcher, tracker(), {}) == []
    assert responses(dispatcher) == [{"response": "utter_handoff_failed"}]
    await desk.close()


async def test_first_unclear_message_offers_topics_second_hands_off(desk, agent_online, domain):
    dispatcher = CollectingDispatcher()
    unclear = make_tracker(SLOTS, text="那个东西弄一下", intent="nlu_fallback")
    unclear.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "pay_bill", "confidence": 0.3},
        {"name": "check_balance", "confidence": 0.2},
    ]
    unclear.events = [
        {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "user", "text": "那个东西弄一下", "parse_data": {"intent": {"name": "nlu_fallback"}}},
    ]
    assert await ActionClarify(desk=desk).run(dispatcher, unclear, domain) == []
    assert responses(dispatcher) == [{"response": "utter_clarify"}]
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "交话费/宽带费", "payload": "/pay_bill"},
        {"title": "查话费/流量余额", "payload": "/check_balance"},
        {"title": "都不是，转人工", "payload": "/request_human"},
    ]
    unclear.events.append({"event": "user", "text": "就是那个", "parse_data": {"intent": {"name": "nlu_fallback"}}})
    dispatcher = CollectingDispatcher()
    events = await ActionClarify(desk=desk).run(dispatcher, unclear, domain)
    assert events[-1] == ConversationPaused()


async def test_the_bot_says_it_is_back_and_asks_for_a_rating(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionResumeAfterHandoff().run(dispatcher, make_tracker(), domain)
    assert events == [SlotSet("satisfaction_task", "handoff")]
    assert responses(dispatcher) == [{"response": "utter_handoff_ended"}]


async def test_a_callback_ticket_is_opened(backend, desk, domain):
    dispatcher = CollectingDispatcher()
    callback = make_tracker({"callback_phone": "13900139000"})
    callback.events = list(EVENTS)
    events = await ActionOpenCallback(backend, desk).run(dispatcher, callback, domain)
    assert events == [SlotSet("callback_phone", None), SlotSet("opened_tickets", ["T20261122001（回访·人工回电）"])]
    assert responses(dispatcher) == [
        {"response": "utter_callback_opened", "ticket_id": "T20261122001", "phone": "139****9000"}
    ]
    ticket = await backend.get_ticket("T20261122001")
    assert (ticket["kind"], ticket["category"], ticket["phone"]) == ("回访", "人工回电", "13900139000")


async def test_a_callback_after_a_queue_timeout_converts_the_case(backend, desk, agent_online, handoff_server, domain):
    import datetime as dt

    from bot.services.desk import cases

    db = handoff_server.app[SERVICE_KEY].db
    await ActionHandoff(desk=desk).run(CollectingDispatcher(), tracker(), {})
    [abandoned] = await cases.abandon_overdue(db, db.clock() + dt.timedelta(minutes=1))  # as the timeout would
    callback = make_tracker({"callback_phone": "13900139000"})
    callback.events = list(EVENTS)
    await ActionOpenCallback(backend, desk).run(CollectingDispatcher(), callback, domain)
    case = await cases.summary(db, abandoned["id"])
    assert (case["status"], case["note"]) == ("callback", "排队超时，已转回电工单 T20261122001")


def dead_backend():
    from bot.clients.operator import OperatorClient

    return OperatorClient(Endpoint("operator backend", "http://127.0.0.1:9", "x", timeout_s=1))


async def test_a_backend_failure_offers_a_callback_or_an_agent(desk, domain):
    from actions.balance import ActionCheckBalance

    dead = dead_backend()
    dispatcher = CollectingDispatcher()
    events = await ActionCheckBalance(dead, desk).run(dispatcher, make_tracker(SLOTS), domain)
    await dead.close()
    assert ConversationPaused() not in events
    assert responses(dispatcher) == [{"response": "utter_backend_unavailable"}]
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "登记回电", "payload": "/request_callback"},
        {"title": "转人工", "payload": "/request_human"},
    ]


async def test_an_agent_asked_for_right_after_a_backend_failure_is_counted_as_one(desk, agent_online, handoff_server):
    from bot.services.desk import cases

    failed = tracker()
    failed.events = [
        *EVENTS[:1],
        {"event": "bot", "text": "抱歉，业务系统暂时繁忙", "metadata": {"utter_action": "utter_backend_unavailable"}},
        {"event": "user", "text": "转人工", "parse_data": {"intent": {"name": "request_human", "confidence": 0.99}}},
    ]
    await ActionHandoff(desk=desk).run(CollectingDispatcher(), failed, {})
    case = await cases.open_case_for(handoff_server.app[SERVICE_KEY].db, "test-user")
    assert case["reason"] == "backend_failure"


def test_only_the_bot_s_last_words_before_the_message_name_a_backend_failure():
    failed = {"event": "bot", "text": "繁忙", "metadata": {"utter_action": "utter_backend_unavailable"}}
    later = {"event": "bot", "text": "您的余额", "metadata": {"utter_action": "utter_balance"}}
    asked = {"event": "user", "text": "转人工"}
    earlier = {"event": "user", "text": "查余额"}
    for events, said in [
        ([earlier, failed, asked], "utter_backend_unavailable"),
        ([earlier, failed, later, asked], "utter_balance"),
        ([failed, earlier, asked], None),  # the failure was answered by another message since
        ([asked], None),
    ]:
        built = tracker()
        built.events = events
        assert said_last(built) == said


async def test_a_callback_while_the_backend_is_down_is_kept_for_later(desk, handoff_server, domain):
    from bot.services.desk import pending_tickets

    dead = dead_backend()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"callback_phone": "13900139000"})
    tracker.events = EVENTS
    events = await ActionOpenCallback(dead, desk).run(dispatcher, tracker, domain)
    await dead.close()
    assert events == [SlotSet("callback_phone", None)]
    assert responses(dispatcher) == [{"response": "utter_ticket_queued", "kind": "回访", "phone": "139****9000"}]
    [pending] = await pending_tickets.unsubmitted(handoff_server.app[SERVICE_KEY].db)
    assert (pending["sender_id"], pending["ticket"]["phone"], pending["ticket"]["kind"]) == (
        "test-user",
        "13900139000",
        "回访",
    )
    assert "138****8000" in pending["ticket"]["description"]  # what the customer asked, masked


async def test_a_callback_number_is_taken_unchecked_while_the_backend_is_down(domain):
    from actions.handoff import ValidateCallbackForm

    dead = dead_backend()
    dispatcher = CollectingDispatcher()
    slot = await ValidateCallbackForm(dead).validate_callback_phone("139 0013 9000", dispatcher, make_tracker(), domain)
    await dead.close()
    assert slot == {"callback_phone": "13900139000"} and responses(dispatcher) == []


async def test_a_fault_report_while_the_backend_is_down_is_kept_for_later(desk, handoff_server, domain):
    from actions.tickets import ActionOpenTicket
    from bot.services.desk import pending_tickets

    dead = dead_backend()
    slots = {**SLOTS, "fault_type": "断网", "fault_description": "家里宽带断了", "fault_address": "南山区科技园1号"}
    dispatcher = CollectingDispatcher()
    await ActionOpenTicket(dead, desk).run(dispatcher, make_tracker(slots), domain)
    await dead.close()
    assert responses(dispatcher) == [{"response": "utter_ticket_queued", "kind": "故障报修", "phone": "138****8000"}]
    [pending] = await pending_tickets.unsubmitted(handoff_server.app[SERVICE_KEY].db)
    assert pending["ticket"] == {
        "phone": "13800138000",
        "kind": "故障报修",
        "category": "断网",
        "description": "家里宽带断了",
        "address": "南山区科技园1号",
    }


async def test_an_escalated_complaint_opens_a_ticket_and_goes_to_an_agent_first(
    backend, desk, agent_online, handoff_server, domain
):
    from actions.tickets import ActionOpenTicket
    from bot.services.desk import cases

    slots = {**SLOTS, "complaint_category": "处理时效", "complaint_description": "报修三次还没解决，我要投诉到工信部"}
    dispatcher = CollectingDispatcher()
    events = await ActionOpenTicket(backend, desk).run(dispatcher, make_tracker(slots), domain)
    assert events[-1] == ConversationPaused()
    assert [m["response"] for m in responses(dispatcher)] == ["utter_ticket_opened", "utter_handoff_queued_next"]
    case = await cases.open_case_for(handoff_server.app[SERVICE_KEY].db, "test-user")
    assert (case["reason"], case["priority"]) == ("complaint_escalated", 1)
    # The agent sees the complaint's number, opened in the very turn that handed off.
    ticket = "T20261122001（投诉·处理时效）"
    context = await cases.context(handoff_server.app[SERVICE_KEY].db, case["id"])
    assert context["slots"]["opened_tickets"] == [ticket]
    assert SlotSet("opened_tickets", [ticket]) in events
