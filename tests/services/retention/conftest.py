"""Rasa's tracker store (our PrivateSQLTrackerStore) on SQLite and on PostgreSQL, filled with
conversations whose events carry chosen times."""

from typing import AsyncIterator, Iterable

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.rasa.tracker_store import PrivateSQLTrackerStore


class Tracker:
    def __init__(self, store: PrivateSQLTrackerStore, url: str) -> None:
        self.store = store
        self.url = url

    async def save(self, sender_id: str, events: Iterable[Event]) -> None:
        await self.store.save(DialogueStateTracker.from_events(sender_id, list(events)))

    def rows(self):
        """(sender_id, type_name, timestamp) of every stored event, in order."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [
                    tuple(row)
                    for row in conn.execute(text("SELECT sender_id, type_name, timestamp FROM events ORDER BY id"))
                ]
        finally:
            engine.dispose()


def sqlite_tracker(path) -> Tracker:
    return Tracker(PrivateSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path)), f"sqlite:///{path}")


@pytest.fixture
async def tracker(database_url: str) -> AsyncIterator[Tracker]:
    """The store on `database_url` (tests/conftest.py): once on SQLite, once on PostgreSQL."""
    if database_url.startswith("sqlite:///"):
        yield sqlite_tracker(database_url[len("sqlite:///") :])
        return
    url = database_url
    name = url.rsplit("/", 1)[1]
    store = PrivateSQLTrackerStore(
        Domain.empty(), dialect="postgresql", host="127.0.0.1", port=5432, db=name, username="postgres"
    )
    yield Tracker(store, url)
    store.engine.dispose()
