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

import itertools
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    BotUttered,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.core.privacy import PASSWORD_SLOT, redact_bot_event, redact_slot_event, redact_user_event
from bot.rasa.tracker_cache import DEFAULT_SIZE, Cached, ConversationCache, clone
from bot.rasa.tracker_memo import catch_up, set_memo

_BASE = "_telebot_stored"  # on a tracker handed out: (its cache entry, that entry's last id, events stored)


class TrackerStoreUnavailable(Exception):
    """The conversation could not be read or written: nothing may go on without it."""


class _Stored:
    """What SQLTrackerStore.save needs of an event: its type name and its (redacted) data."""

    def __init__(self, event: Event, data: Dict[str, Any]) -> None:
        self.type_name = event.type_name
        self._data = data

    def as_dict(self) -> Dict[str, Any]:
        return self._data


_UNKNOWN = object()


def redacted_events(events: Iterable[Event], start: int, requested: Any = _UNKNOWN) -> List[Any]:
    """The events from index `start` on, redacted for storage; the earlier ones give the context
    (which slot the bot had asked for when a message came), or `requested` when it is known."""
    out: List[Any] = []
    scan = requested is _UNKNOWN
    requested = None if scan else requested
    for index, event in enumerate(events if scan else itertools.islice(events, start, None)):
        if not scan or index >= start:
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
HANDOFF_MARKS = (*_PAUSE_STATE, *_REPLAYING)
HANDOFF_EVENT_TYPES = (*HANDOFF_MARKS, "user")
MARKS_READ = 32  # the marks read with the newest user event; more than that: every type name


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


def handoff_names(latest_user: Iterable[Tuple[int, str]], marks: Iterable[Tuple[int, str]]) -> List[str]:
    """The type names `handoff_flags` reads, newest first, from the (id, type) rows of the newest user
    event and of every mark (pause, resume, restart, session start, rewind, undo): the older user
    events change nothing once one has been seen, so a message costs the same late in a long
    conversation (where the marks are few: the session start, a handoff or two)."""
    return [name for _, name in sorted([*latest_user, *marks], reverse=True)]


def tracker_handoff_flags(tracker: DialogueStateTracker) -> Tuple[bool, bool]:
    """The same two flags from a whole tracker, as retrieved (its events since the session start)."""
    since_last_message = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        since_last_message.append(event)
    return tracker.is_paused(), any(isinstance(event, ConversationResumed) for event in since_last_message)


def last_requested(events: Iterable[Dict[str, Any]], requested: Any = None) -> Any:
    """The value of the last requested_slot SlotSet among stored events (dicts), else `requested`."""
    for data in events:
        if data.get("event") == "slot" and data.get("name") == "requested_slot":
            requested = data.get("value")
    return requested


class PrivateSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, redacting what it writes (above) and reading incrementally: the
    conversations served last are kept in the process (bot/rasa/tracker_cache.py); a message reads
    only the events stored since, and a save writes the new events without counting the old ones."""

    def __init__(self, *args: Any, conversation_cache: Any = DEFAULT_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache = ConversationCache(int(conversation_cache))
        self._ensure_sender_id_index()

    @property
    def domain(self) -> Any:
        return self._domain

    @domain.setter
    def domain(self, domain: Any) -> None:
        """A new model's domain (its slots): the cached trackers were built with the old one."""
        from rasa.shared.core.domain import Domain

        self._domain = domain or Domain.empty()
        if hasattr(self, "cache"):
            self.cache.clear()

    def _ensure_sender_id_index(self) -> None:
        """(sender_id, id): the events of one conversation after a given one, read by index alone."""
        with self.engine.begin() as connection:  # raw DDL: an Index object would join Rasa's metadata
            connection.execute(sa.text("CREATE INDEX IF NOT EXISTS events_sender_id_id ON events (sender_id, id)"))

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            entry = self.cache.get(sender_id)
            if entry is not None and self._catch_up(session, sender_id, entry):
                return self._hand_out(entry)
            self.cache.drop(sender_id)
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if not self.domain or not rows:
                return None
            stored = [json.loads(row.data) for row in rows]
            tracker = DialogueStateTracker.from_dict(sender_id, stored, self.domain.slots)
        entry = Cached(tracker, rows[-1].id, last_requested(stored), rows[-1].data)
        self.cache.put(sender_id, entry)
        return self._hand_out(entry)

    def _catch_up(self, session: Any, sender_id: str, entry: Cached) -> bool:
        """Append to the cached tracker what was stored after it; False when it cannot be (its newest
        event is gone, erased or purged; or a new session began: then the store reads it whole)."""
        rows = (
            session.query(self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.data)
            .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id >= entry.last_id)
            .order_by(self.SQLEvent.id)
            .all()
        )
        if not rows or rows[0].id != entry.last_id or rows[0].data != entry.last_data:
            return False  # (SQLite gives the ids of deleted rows again: the event itself must match)
        newer = rows[1:]
        if any(row.type_name == SessionStarted.type_name for row in newer):
            return False
        if newer:
            self._append(entry, [json.loads(row.data) for row in newer], newer[-1].id, newer[-1].data)
        return True

    @staticmethod
    def _append(entry: Cached, stored: List[Dict[str, Any]], last_id: int, last_data: str) -> None:
        for event in deserialise_events(stored):
            entry.tracker.update(event)
        entry.last_id, entry.last_data = last_id, last_data
        entry.requested = last_requested(stored, entry.requested)

    def _hand_out(self, entry: Cached) -> DialogueStateTracker:
        """A clone of the cached tracker, with a copy of what the policies read of it (the memo,
        brought up to the stored events: the memo the cache keeps then starts there next time)."""
        cached = entry.tracker
        tracker = clone(cached)
        if entry.memo is not None:
            set_memo(tracker, entry.memo.fork((cached.latest_message, tracker.latest_message)))
        memo = catch_up(tracker, self.domain)
        entry.memo = memo.fork((tracker.latest_message, cached.latest_message))
        tracker.__dict__[_BASE] = (id(entry), entry.last_id, len(cached.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, with the new events known from the tracker's retrieval when it came from
        here (else counted, as Rasa does); the cache follows what was written."""
        await self.stream_events(tracker)
        entry = self.cache.get(tracker.sender_id)
        base = tracker.__dict__.get(_BASE)
        with self.session_scope() as session:
            if entry is not None and self._derived(session, tracker.sender_id, entry, base):
                new = redacted_events(tracker.events, base[2], entry.requested)
            else:
                entry = None
                new = list(self._additional_events(session, tracker))
            texts = [json.dumps(event.as_dict()) for event in new]
            rows = [self._row(tracker.sender_id, event, text) for event, text in zip(new, texts, strict=True)]
            session.add_all(rows)
            session.flush()  # the rows' ids, read before the commit expires them
            last_id = max((row.id for row in rows), default=None)
            session.commit()
        if entry is None or any(event.type_name == SessionStarted.type_name for event in new):
            self.cache.drop(tracker.sender_id)  # a read starts from the new session: it is short
            return
        if last_id is not None:
            self._append(entry, [json.loads(text) for text in texts], last_id, texts[-1])  # as a read finds them
        tracker.__dict__[_BASE] = (id(entry), entry.last_id, len(entry.tracker.events))

    def _derived(self, session: Any, sender_id: str, entry: Cached, base: Any) -> bool:
        """Whether the tracker to save was handed out from `entry` and nothing was stored since (the
        lock store lets one message of a conversation run at a time; this makes sure of it)."""
        if base != (id(entry), entry.last_id, len(entry.tracker.events)):
            return False
        newest = session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()
        return newest == entry.last_id

    def _row(self, sender_id: str, event: Any, text: str) -> Any:
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=text,
        )

    async def handoff_state(self, sender_id: str) -> Optional[Tuple[bool, bool]]:
        """`handoff_flags` of the stored conversation from type names, no JSON read: the newest
        user event and the newest marks (`handoff_names`); all the type names when it has more
        marks than that."""
        with self.session_scope() as session:
            events = session.query(self.SQLEvent.id, self.SQLEvent.type_name).filter(
                self.SQLEvent.sender_id == sender_id
            )
            newest_first = self.SQLEvent.id.desc()
            latest_user = events.filter(self.SQLEvent.type_name == "user").order_by(newest_first).limit(1).all()
            marks = events.filter(self.SQLEvent.type_name.in_(HANDOFF_MARKS)).order_by(newest_first)
            newest_marks = marks.limit(MARKS_READ + 1).all()
            if len(newest_marks) > MARKS_READ:
                every = events.filter(self.SQLEvent.type_name.in_(HANDOFF_EVENT_TYPES)).order_by(newest_first)
                return handoff_flags(name for _, name in every)
        return handoff_flags(handoff_names(latest_user, newest_marks))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        return iter(redacted_events(tracker.events, stored))
