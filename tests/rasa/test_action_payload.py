"""bot/rasa/action_payload.py: what the actions read of a conversation is the same with the slim
events as with all of them, on generated long conversations."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker

from actions import bill_explanation, cancellation, disputes, handoff, packs, plans, satisfaction
from bot.rasa import patches
from bot.rasa.action_payload import events_for_action, recent_start, slim

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, cancel_package, dispute_charge, add_pack, change_plan, explain_bill, affirm]
entities: [package_name, phone_number]
slots:
  requested_slot: {type: any, mappings: [{type: custom}]}
  verified_phone: {type: text, mappings: [{type: custom}]}
  package_name: {type: text, mappings: [{type: custom}]}
forms:
  cancel_form: {required_slots: [package_name]}
actions: [action_check]
responses:
  utter_greet: [{text: hi}]
"""
)
INTENTS = ["greet", "cancel_package", "dispute_charge", "add_pack", "change_plan", "explain_bill", "affirm"]
SAID = ["utter_greet", satisfaction.QUESTION, "utter_rating_not_understood", "utter_backend_unavailable", None]
STAMP = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc).timestamp()


def message(intent, text, package, channel):
    entities = [{"entity": "package_name", "value": package, "start": 0, "end": 2}] if package else []
    return [
        ActionExecuted("action_listen"),
        UserUttered(
            text,
            {"name": intent, "confidence": 0.87},
            entities,
            parse_data={"intent_ranking": [{"name": intent, "confidence": 0.87}], "text": text},
            input_channel=channel,
            metadata={"client_address": "10.0.0.1"},
        ),
    ]


def bot(said, text):
    return [ActionExecuted(said or "action_check"), BotUttered(text, metadata={"utter_action": said} if said else {})]


STEPS = st.one_of(
    st.builds(
        message,
        st.sampled_from(INTENTS),
        st.sampled_from(["我要退订视频包", "不是我开的", "13800138000 帮我查", "好的"]),
        st.sampled_from([None, "视频会员包", "流量包"]),
        st.sampled_from(["rest", "wechat", "socketio"]),
    ),
    st.builds(bot, st.sampled_from(SAID), st.sampled_from(["您好", "请您为本次服务打分"])),
    st.builds(
        lambda name, value: [SlotSet(name, value)],
        st.sampled_from(["requested_slot", "verified_phone", "package_name"]),
        st.sampled_from([None, "13800138000", "视频会员包"]),
    ),
    st.builds(lambda name: [ActiveLoop(name)], st.sampled_from(["cancel_form", None])),
    st.just([ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]),
)


def conversation(steps):
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    clock = STAMP
    for step in steps:
        for event in step:
            clock += 1.5
            event.timestamp = clock
            tracker.update(event)
    return tracker


def as_sdk(tracker, events):
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = events
    return Tracker.from_dict(state)


def readings(tracker: Tracker):
    """Everything the actions read from the events of a conversation."""

    def opened(module):
        event = module.opening_message(tracker) or {}
        return event.get("text"), (event.get("parse_data") or {}).get("entities")

    return {
        "transcript": handoff.transcript(tracker),
        "said_last": handoff.said_last(tracker),
        "previous_user_intent": handoff.previous_user_intent(tracker),
        "opening": [opened(m) for m in (cancellation, disputes, packs, plans)],
        "opening_package": cancellation.opening_package(tracker),
        "asked": bill_explanation.ActionExplainBill._asked(tracker),
        "question_state": satisfaction.question_state(tracker.events),
        "last_bot_response": satisfaction.last_bot_response(tracker.events),
        "latest_input_channel": tracker.get_latest_input_channel(),
        "slots_to_validate": tracker.slots_to_validate(),
        "latest_message": tracker.latest_message,
        "slots": tracker.slots,
        "active_loop": tracker.active_loop,
        "latest_action_name": tracker.latest_action_name,
        "paused": tracker.is_paused(),
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(STEPS, min_size=30, max_size=90), st.integers(min_value=1, max_value=12))
def test_the_actions_read_the_same_from_the_slim_events(steps, recent):
    tracker = conversation(steps)
    full = [event.as_dict() for event in tracker.events]
    sent = events_for_action(tracker.events, recent)
    assert readings(as_sdk(tracker, sent)) == readings(as_sdk(tracker, full))
    # the recent turns whole, in order; before them only user and bot events
    start = recent_start(tracker.events, recent)
    assert sent[len(sent) - (len(full) - start) :] == full[start:]
    assert all(event["event"] in ("user", "bot") for event in sent[: len(sent) - (len(full) - start)])


def test_a_short_conversation_is_sent_whole():
    tracker = conversation([message("greet", "你好", None, "rest"), bot("utter_greet", "您好")])
    assert events_for_action(tracker.events) == [event.as_dict() for event in tracker.events]


def test_earlier_events_are_slimmed_to_what_the_actions_read():
    [listen, said] = message("cancel_package", "退订视频包", "视频会员包", "wechat")
    said.timestamp = STAMP
    assert slim(said.as_dict()) == {
        "event": "user",
        "timestamp": STAMP,
        "text": "退订视频包",
        "input_channel": "wechat",
        "parse_data": {
            "intent": {"name": "cancel_package", "confidence": 0.87},
            "entities": [{"entity": "package_name", "value": "视频会员包", "start": 0, "end": 2}],
        },
    }
    [_, words] = bot(satisfaction.QUESTION, "请打分")
    words.timestamp = STAMP
    assert slim(words.as_dict()) == {
        "event": "bot",
        "timestamp": STAMP,
        "text": "请打分",
        "metadata": {"utter_action": satisfaction.QUESTION},
    }
    assert slim(listen.as_dict()) is None
    assert slim(SlotSet("x", 1).as_dict()) is None


def test_the_action_call_carries_the_slim_events_and_the_rest_as_rasa():
    steps = [message("greet", f"第{n}条", None, "rest") + bot("utter_greet", "您好") for n in range(15)]
    tracker = conversation(steps)
    action = RemoteAction("action_check", None)
    patches.install()
    stock = patches._action_call_format.__wrapped__(action, tracker, DOMAIN)  # Rasa's own
    ours = RemoteAction._action_call_format(action, tracker, DOMAIN)
    assert ours["tracker"]["events"] == events_for_action(tracker.events)
    assert len(ours["tracker"]["events"]) < len(stock["tracker"]["events"])
    ours["tracker"]["events"] = stock["tracker"]["events"]
    assert ours == stock
