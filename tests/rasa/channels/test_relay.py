"""The relay asks the store whether a conversation is with an agent: cheaply where it can."""

from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ConversationPaused, ConversationResumed, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa import patches as rasa_patches
from bot.rasa.channels.relay import HandoffRelay
from bot.rasa.tracker_store import PrivateSQLTrackerStore, TrackerStoreUnavailable

PAUSED = [
    ActionExecuted("action_listen"),
    UserUttered("转人工"),
    ConversationPaused(),
    ActionExecuted("action_listen"),
    UserUttered("还在吗"),
]
HANDED_BACK = PAUSED + [ConversationResumed()]


class NoReplaySQLStore(PrivateSQLTrackerStore):
    async def retrieve(self, sender_id):
        raise AssertionError("the relay read the whole tracker")


class BrokenSQLStore(PrivateSQLTrackerStore):
    async def handoff_state(self, sender_id):
        raise OSError("connection refused")


def relay_over(store):
    rasa_patches.install()  # as the Rasa servers run: FailSafeTrackerStore.handoff_state
    relay = HandoffRelay(None)
    relay.bind(SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=FailSafeTrackerStore(store)))))
    return relay


async def saved(store, sender_id, events):
    await PrivateSQLTrackerStore.save(store, DialogueStateTracker.from_events(sender_id, events))


async def test_the_sql_store_answers_without_reading_the_tracker(tmp_path):
    store = NoReplaySQLStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    await saved(store, "paused", PAUSED)
    await saved(store, "back", HANDED_BACK)
    relay = relay_over(store)
    assert [await relay._handoff_state(s) for s in ("paused", "back", "new")] == [
        (True, False),
        (False, True),
        (False, False),
    ]


@pytest.mark.parametrize(
    "events, expected",
    [
        (PAUSED, (True, False)),
        (HANDED_BACK, (False, True)),
        (PAUSED + [UserUttered("a"), ConversationPaused()], (True, False)),
    ],
)
async def test_other_stores_are_read_whole(events, expected):
    store = InMemoryTrackerStore(Domain.empty())
    await store.save(DialogueStateTracker.from_events("c", events))
    assert await relay_over(store)._handoff_state("c") == expected


async def test_a_failing_store_stops_the_message(tmp_path):
    store = BrokenSQLStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    with pytest.raises(TrackerStoreUnavailable):
        await relay_over(store)._handoff_state("c")
