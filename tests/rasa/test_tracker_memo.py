"""The memo answers what Rasa computes: applied events and past states, on generated conversations."""

import copy
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.tracker_cache import clone
from bot.rasa.tracker_memo import Memo, catch_up, set_memo

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, check_balance, inform, deny]
entities: [phone_number, amount]
slots:
  phone_number: {type: text, mappings: [{type: from_entity, entity: phone_number}]}
  verified: {type: bool, initial_value: false, mappings: [{type: custom}]}
  topic: {type: categorical, values: [bill, data], mappings: [{type: custom}]}
  note: {type: text, influence_conversation: false, mappings: [{type: custom}]}
forms:
  identity_form: {required_slots: [phone_number]}
  pay_form: {required_slots: [phone_number]}
actions: [action_check, utter_greet, utter_ask]
responses:
  utter_greet: [{text: hi}]
  utter_ask: [{text: ask}]
"""
)
RULE_ONLY = {"rule_only_slots": ["topic"], "rule_only_loops": ["pay_form"]}
ACTIONS = ["action_check", "utter_greet", "utter_ask", "identity_form", "pay_form", "action_listen"]


def user(draw_intent, entity, after=()):
    """A customer's message, and what Rasa may add to it in place before the next action: the
    featurization chosen by the prediction, entities added by the policies."""
    entities = [{"entity": "phone_number", "value": "13800138000", "start": 0, "end": 11}] if entity else []
    events = [ActionExecuted("action_listen"), UserUttered("x", {"name": draw_intent, "confidence": 0.9}, entities)]
    for kind in after:
        if kind == "entities":
            events.append(EntitiesAdded([{"entity": "amount", "value": "50"}]))
        else:
            events.append(DefinePrevUserUtteredFeaturization(kind == "text"))
    return events


def fresh(make):
    """Each step's events are new objects, as Rasa's are."""
    return st.builds(make)


STEPS = st.one_of(
    st.builds(
        user,
        st.sampled_from(["greet", "check_balance", "inform", "deny"]),
        st.booleans(),
        st.lists(st.sampled_from(["entities", "text", "intent"]), max_size=2),
    ),
    st.builds(lambda name, hide: [ActionExecuted(name, hide_rule_turn=hide)], st.sampled_from(ACTIONS), st.booleans()),
    st.builds(
        lambda name, value: [SlotSet(name, value)],
        st.sampled_from(["phone_number", "verified", "topic", "note"]),
        st.sampled_from([None, "13800138000", True, "bill", "data"]),
    ),
    st.builds(lambda name: [ActiveLoop(name)], st.sampled_from(["identity_form", "pay_form", None])),
    st.builds(lambda name: [ActionExecutionRejected(name)], st.sampled_from(["identity_form", "pay_form"])),
    # also later in the turn, after an action: not what Rasa's processor does, but what an event may do
    st.builds(lambda flag: [DefinePrevUserUtteredFeaturization(flag)], st.booleans()),
    fresh(lambda: [EntitiesAdded([{"entity": "amount", "value": "50"}])]),
    fresh(lambda: [LoopInterrupted(True)]),
    fresh(lambda: [FollowupAction("utter_ask")]),
    fresh(lambda: [UserUtteranceReverted()]),
    fresh(lambda: [ActionReverted()]),
    fresh(lambda: [AllSlotsReset()]),
    fresh(lambda: [BotUttered("hi")]),
    fresh(lambda: [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]),
    fresh(lambda: [Restarted()]),
)


class Reference(DialogueStateTracker):
    """Rasa's own computation: bot/rasa/patches.py leaves every subclass (training's trackers) alone."""


def reference(tracker):
    """The same events (the same objects) in a tracker that computes as Rasa does."""
    twin = Reference(tracker.sender_id, DOMAIN.slots)
    for event in tracker.events:
        twin.update(event)
    return twin


def check(memo, tracker, window):
    rasa = reference(tracker)
    assert memo.applied_events(tracker) == rasa.applied_events()
    for omit in (False, True):
        for ignore in (False, True):
            for rule_only in (None, RULE_ONLY):
                expected = rasa.past_states(DOMAIN, omit, ignore, rule_only)
                fresh = copy.deepcopy(rule_only)  # the RulePolicy passes a new dict on every call
                got = memo.past_states(tracker, DOMAIN, omit, ignore, fresh, window=window)
                assert got == expected[-window:], (omit, ignore, rule_only)


@settings(max_examples=200, deadline=None)
@given(st.lists(STEPS, min_size=1, max_size=30), st.integers(1, 4), st.sampled_from([2, 50]))
def test_the_memo_answers_what_rasa_computes_as_the_conversation_grows(steps, every, window):
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    memo = Memo(tracker)
    for number, events in enumerate(steps, start=1):
        for event in events:
            tracker.update(event)
        if number % every == 0:
            check(memo, tracker, window)
    check(memo, tracker, window)


@settings(max_examples=60, deadline=None)
@given(st.lists(STEPS, min_size=1, max_size=15), st.lists(STEPS, min_size=1, max_size=10))
def test_a_forked_memo_goes_on_in_a_clone_of_the_tracker(before, after):
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    memo = Memo(tracker)
    for events in before:
        for event in events:
            tracker.update(event)
    check(memo, tracker, 50)
    twin = clone(tracker)  # its latest message is a copy
    forked = memo.fork((tracker.latest_message, twin.latest_message))
    for events in after:
        for event in events:
            twin.update(event)
        check(forked, twin, 50)
    check(memo, tracker, 50)  # the original goes on unchanged


def test_a_tracker_that_is_not_the_memo_s_is_read_anew():
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    for events in (user("greet", False), [ActionExecuted("utter_greet")]):
        for event in events:
            tracker.update(event)
    memo = Memo(tracker)
    check(memo, tracker, 50)
    other = DialogueStateTracker("c2", DOMAIN.slots)
    for event in user("check_balance", True):
        other.update(event)
    check(memo, other, 50)


def test_a_new_rule_only_dict_with_the_same_content_does_not_start_the_states_over():
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    memo = Memo(tracker)
    for _ in range(5):
        for events in (user("check_balance", True), [ActionExecuted("action_check"), BotUttered("ok")]):
            for event in events:
                tracker.update(event)
    first = memo.past_states(tracker, DOMAIN, False, True, copy.deepcopy(RULE_ONLY))
    with mock.patch.object(Memo, "_step", wraps=Memo._step) as step:
        again = memo.past_states(tracker, DOMAIN, False, True, copy.deepcopy(RULE_ONLY))
        other = memo.past_states(tracker, DOMAIN, False, True, {"rule_only_slots": [], "rule_only_loops": []})
    assert again == first
    assert other == reference(tracker).past_states(DOMAIN, False, True, {"rule_only_slots": [], "rule_only_loops": []})
    # the same content: only the state of now; another content: every turn (10 actions) and now
    assert step.call_count == 1 + 11


def test_the_memo_the_store_keeps_is_brought_up_to_date_with_the_states_asked_for():
    """As bot/rasa/tracker_store.py hands out a conversation: a fork of the kept memo, caught up, is
    kept for the next message; the message's own copy answers the policies."""
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    kept = None
    for number in range(6):
        for events in (user("check_balance", number % 2 == 0), [ActionExecuted("action_check"), BotUttered("ok")]):
            for event in events:
                tracker.update(event)
        set_memo(tracker, kept)
        memo = catch_up(tracker, DOMAIN)
        kept = memo.fork()
        with mock.patch.object(Memo, "_step", wraps=Memo._step) as step:
            got = memo.past_states(tracker, DOMAIN, False, True, copy.deepcopy(RULE_ONLY))
        assert got == reference(tracker).past_states(DOMAIN, False, True, RULE_ONLY)
        # the turns of earlier messages were described when the memo was caught up: only now is left
        assert step.call_count == (1 if number else 1 + len(memo.turns))
