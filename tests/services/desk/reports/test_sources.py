"""Reading the dashboard's rows from a tracker store shaped like Rasa's, on SQLite and PostgreSQL."""

import json

from sqlalchemy import text

from bot.core.db import create_database, create_reader
from bot.services.desk.reports import sources
from tests.services.desk.reports.fixture import NOW, SESSIONS, at
from tests.support import FakeClock

EVENTS = (
    "CREATE TABLE events (id SERIAL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,"
    " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
)


async def test_the_period_s_messages_and_sessions_are_read(database_url):
    writer = create_database(database_url, FakeClock(NOW))
    async with writer.write() as conn:
        await conn.execute(
            text(
                EVENTS
                if writer.engine.dialect.name == "postgresql"
                else EVENTS.replace("id SERIAL PRIMARY KEY", "id INTEGER PRIMARY KEY AUTOINCREMENT")
            )
        )
        for sender_id, messages in SESSIONS:
            started = {"event": "session_started"}
            await conn.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, :ts, :d)"),
                {
                    "s": sender_id,
                    "t": "session_started",
                    "ts": messages[0].at.timestamp() - 1,
                    "d": json.dumps(started),
                },
            )
            for message in messages:
                data = {"event": "user", "text": message.text, "parse_data": {"intent": {"name": message.intent}}}
                await conn.execute(
                    text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, :ts, :d)"),
                    {
                        "s": sender_id,
                        "t": "user",
                        "ts": message.at.timestamp(),
                        "d": json.dumps(data, ensure_ascii=False),
                    },
                )
    await writer.close()
    reader = create_reader(database_url, FakeClock(NOW))
    try:
        rows = await sources.read_tracker(reader, at(21, 0, 0), at(23, 0, 0))
    finally:
        await reader.close()
    messages, sessions = sources.sessions_of(rows)
    assert [(m.sender_id, m.text, m.intent) for m in messages] == [
        (m.sender_id, m.text, m.intent) for _s, ms in SESSIONS for m in ms if m.at >= at(21, 0, 0)
    ]
    # web-e's second session is its own: the session_started before it split it from the first.
    assert [(sender, len(found)) for sender, found in sessions] == [
        ("web-a", 2), ("web-b", 1), ("web-c", 2), ("wx-d", 1), ("web-e", 1),
    ]  # fmt: skip


async def test_a_store_without_events_reads_as_empty(database_url):
    reader = create_reader(database_url, FakeClock(NOW))
    try:
        assert await sources.read_tracker(reader, at(21, 0, 0), at(23, 0, 0)) == []
    finally:
        await reader.close()
