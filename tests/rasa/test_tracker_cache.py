"""A tracker handed out by the cache is in the replayed state and changes nothing of the cached one."""

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    EntitiesAdded,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.rasa.tracker_cache import Cached, ConversationCache, clone

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [check_balance, inform]
entities: [phone_number]
slots:
  phone_number: {type: text, mappings: [{type: custom}]}
  requested_slot: {type: any, mappings: [{type: custom}]}
  tasks: {type: list, mappings: [{type: custom}]}
forms:
  identity_form: {required_slots: [phone_number]}
"""
)


def events():
    return [
        ActionExecuted("action_listen"),
        UserUttered("查话费", {"name": "check_balance", "confidence": 0.9}, [{"entity": "x", "value": "1"}]),
        ActionExecuted("identity_form"),
        ActiveLoop("identity_form"),
        SlotSet("requested_slot", "phone_number"),
        SlotSet("tasks", ["balance"]),
        BotUttered("请提供您的11位手机号码"),
        ActionExecuted("action_listen"),
        UserUttered("13800138000", {"name": "inform", "confidence": 0.8}),
    ]


def test_a_clone_is_in_the_state_a_replay_gives():
    tracker = DialogueStateTracker.from_events("c1", events(), DOMAIN.slots)
    twin = clone(tracker)
    assert twin.current_state(EventVerbosity.ALL) == tracker.current_state(EventVerbosity.ALL)
    assert twin.active_loop_name == "identity_form"
    assert twin.latest_message.text == "13800138000"
    assert twin.latest_message is twin.events[-1]  # the copy stands in for the event too


def test_changing_a_clone_leaves_the_cached_tracker_as_it_was():
    tracker = DialogueStateTracker.from_events("c1", events(), DOMAIN.slots)
    before = tracker.current_state(EventVerbosity.ALL)
    twin = clone(tracker)
    twin.update(EntitiesAdded([{"entity": "phone_number", "value": "13800138000"}]))  # in place, on the latest
    twin.update(SlotSet("phone_number", "13800138000"))
    twin.active_loop.rejected = True
    twin.latest_action["action_name"] = "changed"
    twin.update(ActiveLoop(None))
    assert tracker.current_state(EventVerbosity.ALL) == before
    assert len(tracker.events) == len(events())
    assert tracker.active_loop.rejected is False


def test_the_cache_keeps_the_conversations_used_last():
    cache = ConversationCache(size=2)
    entries = {name: Cached(DialogueStateTracker(name, []), 1, None) for name in "abc"}
    cache.put("a", entries["a"])
    cache.put("b", entries["b"])
    assert cache.get("a") is entries["a"]  # a is now the most recent
    cache.put("c", entries["c"])
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (entries["a"], None, entries["c"])
    cache.drop("a")
    assert len(cache) == 1
    ConversationCache(size=0).put("a", entries["a"])  # size 0: no cache at all
