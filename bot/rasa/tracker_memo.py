"""What the policies read of a conversation, computed once per event instead of once per question.

Rasa answers `tracker.applied_events()` and `tracker.past_states(domain, ...)` by walking every
event of the session again: the applied events are recomputed from all events, and the states by
replaying all of them into a fresh tracker and describing it before every action. A message asks
both about ten times (each policy, twice for rules, the featurizers, the processor), so a message's
cost grew with the length of the conversation (`python -m bot benchmark --conversation-length 200`).

`Memo` keeps, per tracker, the applied events, a replaying tracker and one record per turn (the
state before each action), and brings them up to date with only the events added since the last
question. What it answers is what Rasa computes (tests/rasa/test_tracker_memo.py compares the two on
generated conversations):

- the applied events follow Rasa's own rules, with its own helpers (a revert or a loop's happy path
  removes events from the end: the turns after the cut are recomputed, from the record before it);
- a state depends on the latest user message, which two events change in place
  (DefinePrevUserUtteredFeaturization, EntitiesAdded): the turns that describe the current latest
  message are recomputed when it changed;
- an ActiveLoop naming a loop not seen before changes how earlier events apply: everything is
  recomputed then (once per loop and conversation).

`past_states` returns the last `window` states only (copies). Every policy reads fewer: the ML
policies their `max_history`, the RulePolicy no further back than its longest rule
(bot/rasa/patches.py checks both against the loaded model).
"""

import collections
import copy
import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from rasa.shared.core import constants
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

State = Dict[str, Any]
DEFAULT_WINDOW = 50
_KEY = "_telebot_memo"


@dataclass
class _Replay:
    """What a state is made of, saved before a turn's action so the replay can go back to it."""

    slots: Dict[str, Tuple[Any, bool]]
    paused: bool
    followup_action: Optional[str]
    latest_action: Any
    latest_message: Any
    latest_bot_utterance: Any
    active_loop: Any


@dataclass
class _Turn:
    index: int  # of its ActionExecuted in the applied events
    hide: bool  # hide_rule_turn
    saved: _Replay  # the replay before the action
    prev_action: Any  # Domain._get_prev_action_sub_state
    followup_action: Optional[str]
    latest_action_name: Optional[str]
    active_loop_name: Optional[str]
    states: Dict[bool, State]  # get_active_state by omit_unset_slots
    message: Any  # the latest user message it describes, and that message's mutable parts then
    message_print: Tuple[Any, int]


@dataclass
class _Output:
    """Domain.states_for_tracker_history's loop, one parameter set: per turn its state (None when
    hidden) and the loop's variables after it."""

    states: List[Optional[State]] = field(default_factory=list)
    after: List[Tuple[Any, bool, Optional[State]]] = field(default_factory=list)  # last ml action, hidden, last state
    rule_only_data: Any = None  # the first of the dicts of this content it was asked with


def _print(message: Any) -> Tuple[Any, int]:
    if message is None:
        return (None, 0)
    return (getattr(message, "use_text_for_featurization", None), len(getattr(message, "entities", None) or []))


def _placeholder(message: Any) -> bool:
    """The empty latest message a reset puts in a tracker, not an event."""
    return message is not None and message.text is None and not message.intent


def _save(tracker: DialogueStateTracker) -> _Replay:
    message = tracker.latest_message
    if _placeholder(message):
        # the replay's own empty placeholder (a reset makes a new one): EntitiesAdded may still
        # change it, which a replay from the start would not see; an event is shared, as in Rasa
        message = copy.deepcopy(message)
    return _Replay(
        slots={name: (slot._value, slot._has_been_set) for name, slot in tracker.slots.items()},
        paused=tracker._paused,
        followup_action=tracker.followup_action,
        latest_action=tracker.latest_action,
        latest_message=message,
        latest_bot_utterance=tracker.latest_bot_utterance,
        active_loop=copy.copy(tracker.active_loop),
    )


def _restore(tracker: DialogueStateTracker, saved: _Replay) -> None:
    for name, (value, has_been_set) in saved.slots.items():
        slot = tracker.slots[name]
        slot._value, slot._has_been_set = value, has_been_set
    tracker._paused = saved.paused
    tracker.followup_action = saved.followup_action
    tracker.latest_action = saved.latest_action
    message = saved.latest_message
    if _placeholder(message):
        message = copy.deepcopy(message)  # the saved placeholder stays as it was saved
    tracker.latest_message = message
    tracker.latest_bot_utterance = saved.latest_bot_utterance
    tracker.active_loop = copy.copy(saved.active_loop)


def _copy_state(state: State) -> State:
    """A state's own copy: its sub-states are dicts of strings, numbers and tuples."""
    return {key: dict(value) if isinstance(value, dict) else value for key, value in state.items()}


class Memo:
    def __init__(self, tracker: DialogueStateTracker) -> None:
        self._reset(tracker)

    def _reset(self, tracker: DialogueStateTracker) -> None:
        self.raw = 0  # events of the tracker taken in
        self.last_raw: Optional[Event] = None
        self.loop_names: set = set()
        self.applied: List[Event] = []
        self.low = 0  # the applied events before this index are those the turns were made from
        self.replay = self._fresh_replay(tracker)
        self.replayed = 0
        self.turns: List[_Turn] = []
        self.outputs: Dict[Tuple[bool, bool, str], _Output] = {}
        # The parameter sets the states were asked for, and a rule_only_data of each: shared by the
        # memo's forks, so that the copy the store keeps learns what the policies ask of another copy.
        self.asked: Dict[Tuple[bool, bool, str], Any] = getattr(self, "asked", {})

    @staticmethod
    def _fresh_replay(tracker: DialogueStateTracker) -> DialogueStateTracker:
        replay = tracker.init_copy()
        replay.events = collections.deque(maxlen=1)  # no state reads the replay's own events
        return replay

    def fork(self, replaced: Optional[Tuple[Event, Event]] = None) -> "Memo":
        """A copy to go on with in another tracker of the same events: a clone of the tracker
        (bot/rasa/tracker_cache.py), where `replaced` is (the latest message, its copy)."""
        twin = copy.copy(self)
        twin.loop_names = set(self.loop_names)
        twin.applied = list(self.applied)
        twin.turns = list(self.turns)
        twin.outputs = {
            key: _Output(list(out.states), list(out.after), out.rule_only_data) for key, out in self.outputs.items()
        }
        replay = twin.replay = copy.copy(self.replay)
        replay.slots = {name: copy.copy(slot) for name, slot in self.replay.slots.items()}
        replay.active_loop = copy.copy(self.replay.active_loop)
        replay.events = collections.deque(maxlen=1)
        if _placeholder(replay.latest_message):
            replay.latest_message = copy.deepcopy(replay.latest_message)
        if replaced is not None:
            twin._replace(*replaced)
        return twin

    def _replace(self, old: Event, new: Event) -> None:
        """The tracker's latest message is `new` where the memo knew `old` (near the end: it is the
        latest one)."""
        for index in range(len(self.applied) - 1, -1, -1):
            if self.applied[index] is old:
                self.applied[index] = new
                break
        for position in range(len(self.turns) - 1, -1, -1):
            turn = self.turns[position]
            if turn.message is not old:
                break
            saved = dataclasses.replace(turn.saved, latest_message=new)
            self.turns[position] = dataclasses.replace(turn, saved=saved, message=new)
        if self.replay.latest_message is old:
            self.replay.latest_message = new
        if self.last_raw is old:
            self.last_raw = new

    # --- the applied events -------------------------------------------------------------------

    def _follows(self, tracker: DialogueStateTracker) -> bool:
        events = tracker.events
        if events.maxlen is not None or len(events) < self.raw:
            return False
        return self.raw == 0 or events[self.raw - 1] is self.last_raw

    def applied_events(self, tracker: DialogueStateTracker) -> List[Event]:
        """Rasa's DialogueStateTracker.applied_events, brought up to date."""
        if not self._follows(tracker):
            self._reset(tracker)
        events = tracker.events
        new = [events[index] for index in range(self.raw, len(events))]
        names = {event.name for event in new if isinstance(event, ActiveLoop) and event.name}
        if names - self.loop_names:
            self._reset(tracker)  # a loop not seen before: Rasa reads the earlier events anew
            new = list(events)
            self.loop_names = {event.name for event in new if isinstance(event, ActiveLoop) and event.name}
        applied = self.applied
        for event in new:
            if isinstance(event, (Restarted, SessionStarted)):
                applied.clear()
            elif isinstance(event, ActionReverted):
                DialogueStateTracker._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                DialogueStateTracker._undo_till_previous(UserUttered, applied)
                DialogueStateTracker._undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.action_name in self.loop_names
                and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                DialogueStateTracker._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
                continue
            self.low = min(self.low, len(applied))
        self.raw = len(events)
        self.last_raw = events[-1] if events else None
        return applied

    # --- the states ---------------------------------------------------------------------------

    def _rewind(self, tracker: DialogueStateTracker, low: int) -> None:
        """Back to the replay before applied event `low`: the last turn at or before it (its saved
        replay is that of the applied events before it, unchanged), or the start."""
        position = len(self.turns) - 1
        while position >= 0 and self.turns[position].index > low:
            position -= 1
        if position >= 0:
            turn = self.turns[position]
            _restore(self.replay, turn.saved)
            self.replayed = turn.index
        else:
            self.replay, self.replayed, position = self._fresh_replay(tracker), 0, 0
        del self.turns[position:]
        for out in self.outputs.values():
            del out.states[position:]
            del out.after[position:]

    def _stale_message(self, tracker: DialogueStateTracker) -> Optional[int]:
        """The first turn describing the latest message as it no longer is (changed in place)."""
        stale = None
        latest = tracker.latest_message
        for position in range(len(self.turns) - 1, -1, -1):
            turn = self.turns[position]
            if turn.message is not latest:
                break
            if turn.message_print != _print(latest):
                stale = turn.index
        return stale

    def _turn(self, domain: Any, index: int, event: ActionExecuted) -> _Turn:
        replay = self.replay
        return _Turn(
            index=index,
            hide=event.hide_rule_turn,
            saved=_save(replay),
            prev_action=domain._get_prev_action_sub_state(replay),
            followup_action=replay.followup_action,
            latest_action_name=replay.latest_action_name,
            active_loop_name=replay.active_loop_name,
            states={omit: domain.get_active_state(replay, omit_unset_slots=omit) for omit in (False, True)},
            message=replay.latest_message,
            message_print=_print(replay.latest_message),
        )

    def _replay_to_end(self, tracker: DialogueStateTracker, domain: Any) -> None:
        self.applied_events(tracker)
        stale = self._stale_message(tracker)
        low = self.low if stale is None else min(self.low, stale)
        if low < self.replayed:
            self._rewind(tracker, low)
        self.low = len(self.applied)
        for index in range(self.replayed, len(self.applied)):
            event = self.applied[index]
            if isinstance(event, ActionExecuted):
                self.turns.append(self._turn(domain, index, event))
            self.replay.update(event)
        self.replayed = len(self.applied)

    @staticmethod
    def _step(
        domain: Any,
        context: Tuple[Any, bool, Optional[State]],
        facts: Any,
        state: State,
        ignore_rule_only_turns: bool,
        rule_only_data: Optional[Dict[str, Any]],
    ) -> Tuple[Tuple[Any, bool, Optional[State]], Optional[State]]:
        """One pass of Domain.states_for_tracker_history's loop (facts: a turn, or the replay now)."""
        last_ml, hidden, last_state = context
        if ignore_rule_only_turns:
            if not hidden:
                last_ml = facts.prev_action
            if not facts.followup_action and not facts.latest_action_name == facts.active_loop_name:
                hidden = facts.hide
            if hidden:
                return (last_ml, hidden, last_state), None
        state = _copy_state(state)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if last_state is not None:
                domain._substitute_rule_only_user_input(state, last_state)
            if last_ml:
                state[constants.PREVIOUS_ACTION] = last_ml
        state = domain._clean_state(state)
        return (last_ml, hidden, state), state

    def _extend(self, domain: Any, key: Tuple[bool, bool, str]) -> Tuple[Any, bool, Optional[State]]:
        """The states of parameter set `key` for the turns not described yet; the loop's variables
        after the last."""
        omit_unset_slots, ignore_rule_only_turns, _ = key
        out = self.outputs.get(key)
        if out is None:
            out = self.outputs[key] = _Output(rule_only_data=self.asked[key])
        context: Tuple[Any, bool, Optional[State]] = out.after[-1] if out.after else (None, False, None)
        for turn in self.turns[len(out.states) :]:
            context, state = self._step(
                domain, context, turn, turn.states[omit_unset_slots], ignore_rule_only_turns, out.rule_only_data
            )
            out.states.append(state)
            out.after.append(context)
        return context

    def past_states(
        self,
        tracker: DialogueStateTracker,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
        window: int = DEFAULT_WINDOW,
    ) -> List[State]:
        """The last `window` states Rasa's past_states gives, as copies."""
        self._replay_to_end(tracker, domain)
        key = (omit_unset_slots, ignore_rule_only_turns, _content_key(rule_only_data))
        self.asked.setdefault(key, rule_only_data)
        context = self._extend(domain, key)
        out = self.outputs[key]
        now = _Now(self.replay, domain)
        _, final = self._step(
            domain, context, now, domain.get_active_state(self.replay, omit_unset_slots), ignore_rule_only_turns,
            rule_only_data,
        )  # fmt: skip
        tail: List[State] = [] if final is None else [final]
        for state in reversed(out.states):
            if len(tail) >= window:
                break
            if state is not None:
                tail.append(state)
        return [_copy_state(state) for state in reversed(tail)]


def _content_key(rule_only_data: Optional[Dict[str, Any]]) -> str:
    """What the states depend on of `rule_only_data`: its content. The RulePolicy builds a new dict
    on every call (RulePolicy._get_rule_only_data), so its identity would make every call start over."""
    return json.dumps(rule_only_data, sort_keys=True, default=repr) if rule_only_data else ""


class _Now:
    """The replay after the last event, as the loop's final pass sees it (never hidden)."""

    hide = False

    def __init__(self, replay: DialogueStateTracker, domain: Any) -> None:
        self.prev_action = domain._get_prev_action_sub_state(replay)
        self.followup_action = replay.followup_action
        self.latest_action_name = replay.latest_action_name
        self.active_loop_name = replay.active_loop_name


def catch_up(tracker: DialogueStateTracker, domain: Any) -> Memo:
    """The tracker's memo, brought up to its events now, with the states of every parameter set it
    was asked for (the store does it before a message, and keeps a copy for the next one: the states
    the policies ask for during a message are computed in the message's own copy)."""
    memo = memo_of(tracker)
    memo._replay_to_end(tracker, domain)
    for key in list(memo.asked):
        memo._extend(domain, key)
    return memo


def memo_of(tracker: DialogueStateTracker) -> Memo:
    memo = tracker.__dict__.get(_KEY)
    if memo is None:
        memo = tracker.__dict__[_KEY] = Memo(tracker)
    return memo


def set_memo(tracker: DialogueStateTracker, memo: Optional[Memo]) -> None:
    if memo is None:
        tracker.__dict__.pop(_KEY, None)
    else:
        tracker.__dict__[_KEY] = memo
