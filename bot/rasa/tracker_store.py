"""Rasa's SQL tracker store, keeping no service password (endpoints.yml: `type: bot.rasa.tracker_store.
PrivateSQLTrackerStore`, with the SQL store's own settings).

Rasa stores every event as it is; the customer's answer to "请输入服务密码" would stay in the
database for good. Before an event is written, `redacted_events` replaces the text and entities of
the message that answered the password question by the marker, stars password-like digits
(6-digit runs, also spaced or full-width) in every other message and its entities, in the bot's
words and the values they were filled with (utter_invalid_phone_number echoes what was typed at
the phone question), and in the slots that hold the customer's own words; the password slot keeps
only the marker (bot/core/privacy.py). The events the
actions saw in the same turn were the real ones: only what is stored is redacted. Events are
redacted one for one, so Rasa's count of stored events (what is new since the last save) holds.

`TrackerStoreUnavailable` is what the Rasa servers raise instead of Rasa's fallback to an
in-memory tracker when the database fails (bot/rasa/patches.py); the channels answer it with a
plain message (bot/rasa/channels/guard.py).

`handoff_state` answers the channels' question of every message (is the conversation with an agent,
was it handed back since the customer's last message) from the events' type names, without reading
and replaying the whole conversation (bot/rasa/channels/relay.py).
"""

from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, ConversationResumed, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.privacy import PASSWORD_SLOT, redact_bot_event, redact_slot_event, redact_user_event


class TrackerStoreUnavailable(Exception):
    """The conversation could not be read or written: nothing may go on without it."""


class _Stored:
    """What SQLTrackerStore.save needs of an event: its type name and its (redacted) data."""

    def __init__(self, event: Event, data: Dict[str, Any]) -> None:
        self.type_name = event.type_name
        self._data = data

    def as_dict(self) -> Dict[str, Any]:
        return self._data


def redacted_events(events: Iterable[Event], start: int) -> List[Any]:
    """The events from index `start` on, redacted for storage; the earlier ones give the context
    (which slot the bot had asked for when a message came)."""
    out: List[Any] = []
    requested = None
    for index, event in enumerate(events):
        if index >= start:
            data = event.as_dict()
            if isinstance(event, UserUttered):
                data = redact_user_event(data, password_turn=requested == PASSWORD_SLOT)
            elif isinstance(event, BotUttered):
                data = redact_bot_event(data)
            elif isinstance(event, SlotSet):
                data = redact_slot_event(data)
            out.append(_Stored(event, data))
        if isinstance(event, SlotSet) and event.key == "requested_slot":
            requested = event.value
    return out


# The events that decide whether a conversation is paused (DialogueStateTracker: pause sets it;
# resume, restart and a new session clear it), the customer's messages, and the two that make the
# tracker replay its events (then only the whole tracker tells).
_PAUSE_STATE = {"pause": True, "resume": False, "restart": False, "session_started": False}
_REPLAYING = ("rewind", "undo")
HANDOFF_EVENT_TYPES = (*_PAUSE_STATE, "user", *_REPLAYING)


def handoff_flags(type_names_newest_first: Iterable[str]) -> Optional[Tuple[bool, bool]]:
    """(paused, handed back since the customer's last message) from event type names, newest
    first, as DialogueStateTracker would find them; None when a rewind or undo comes first."""
    paused: Optional[bool] = None
    handed_back = False
    seen_user = False
    for name in type_names_newest_first:
        if name in _REPLAYING:
            return None
        if name == "resume" and not seen_user:
            handed_back = True
        if paused is None and name in _PAUSE_STATE:
            paused = _PAUSE_STATE[name]
        seen_user = seen_user or name == "user"
        if name == "session_started" or (paused is not None and seen_user):
            break  # older events no longer count
    return bool(paused), handed_back


def tracker_handoff_flags(tracker: DialogueStateTracker) -> Tuple[bool, bool]:
    """The same two flags from a whole tracker, as retrieved (its events since the session start)."""
    since_last_message = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        since_last_message.append(event)
    return tracker.is_paused(), any(isinstance(event, ConversationResumed) for event in since_last_message)


class PrivateSQLTrackerStore(SQLTrackerStore):
    async def handoff_state(self, sender_id: str) -> Optional[Tuple[bool, bool]]:
        """`handoff_flags` of the stored conversation: one query of type names, no JSON read."""
        with self.session_scope() as session:
            query = (
                session.query(self.SQLEvent.type_name)
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name.in_(HANDOFF_EVENT_TYPES))
                .order_by(self.SQLEvent.id.desc())
            )
            return handoff_flags(name for (name,) in query)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        return iter(redacted_events(tracker.events, stored))
