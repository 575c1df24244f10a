"""The conversations a Rasa process served last, as they are stored (bot/rasa/tracker_store.py).

Rasa's SQL tracker store reads and replays every event of the session on every message and
counts them again on every save: a message's cost grew with the conversation. The store keeps here,
per conversation, the tracker rebuilt from the stored (redacted) events and the id of the newest of
them. A message then reads only the events stored after that id (by another replica, or the
handoff service through Rasa's API) and appends them; a save writes only what the message added.

The cached tracker is never handed out: `clone` gives every caller a tracker of its own, in the
state a replay of the same events gives, without replaying them (the events are shared: Rasa never
changes an event once it is in a tracker, except the latest message's entities, which the clone
copies). The cache holds at most `size` conversations, the least recently used go first.
"""

import copy
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional

from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_SIZE = 256


@dataclass
class Cached:
    tracker: DialogueStateTracker  # the stored events of the session, replayed; never handed out
    last_id: int  # the id of its newest stored event
    requested: Any  # the value of the last requested_slot SlotSet: the context of the redaction
    last_data: str = ""  # the newest stored event as stored (its id alone may come again on SQLite)
    memo: Any = None  # bot/rasa/tracker_memo.py's Memo of `tracker`'s events (up to some of them)


PRIVATE = ("_telebot_stored", "_telebot_memo")  # what the store and the memo keep on a tracker


def clone(tracker: DialogueStateTracker, own_latest_message: bool = True) -> DialogueStateTracker:
    """A tracker in the same state with its own mutable parts: slots, the active loop, the latest
    action, the events deque and, unless `own_latest_message` is False (a replay shares it too), the
    latest message (EntitiesAdded and DefinePrevUserUtteredFeaturization change it in place; the
    copy replaces it in the events too)."""
    twin = copy.copy(tracker)
    for key in PRIVATE:
        twin.__dict__.pop(key, None)
    twin.slots = {name: copy.copy(slot) for name, slot in tracker.slots.items()}
    twin.active_loop = copy.copy(tracker.active_loop)
    twin.latest_action = dict(tracker.latest_action) if tracker.latest_action is not None else None
    twin.events = tracker._create_events(tracker.events)
    latest = tracker.latest_message
    if own_latest_message and latest is not None:
        own = copy.deepcopy(latest)
        for index in range(len(twin.events) - 1, -1, -1):
            if twin.events[index] is latest:
                twin.events[index] = own
                break
        twin.latest_message = own
    return twin


class ConversationCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: "OrderedDict[str, Cached]" = OrderedDict()

    def get(self, sender_id: str) -> Optional[Cached]:
        entry = self._entries.get(sender_id)
        if entry is not None:
            self._entries.move_to_end(sender_id)
        return entry

    def put(self, sender_id: str, entry: Cached) -> None:
        if self.size <= 0:
            return
        self._entries[sender_id] = entry
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
