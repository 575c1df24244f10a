"""Reading conversations back from Rasa's SQL tracker store, on SQLite and PostgreSQL."""

import json

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine

from bot.ml.trainers.tracker_events import load_conversations

# The columns of Rasa 3.6's SQLTrackerStore table.
EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def test_conversations_of_the_period_come_back_in_order(database_url):
    engine = create_engine(database_url)
    EVENTS.create(engine)
    rows = [
        ("a", "user", 100.0, {"event": "user", "text": "查话费"}),
        ("a", "action", 101.0, {"event": "action", "name": "balance_form"}),
        ("b", "user", 500.0, {"event": "user", "text": "转人工"}),
        ("a", "slot", 102.0, {"event": "slot", "name": "x"}),
        ("a", "bot", 103.0, {"event": "bot", "text": "请提供号码"}),
    ]
    with engine.begin() as conn:
        conn.execute(
            EVENTS.insert(),
            [{"sender_id": s, "type_name": t, "timestamp": at, "data": json.dumps(d)} for s, t, at, d in rows],
        )
    engine.dispose()
    assert load_conversations(database_url) == [
        [
            {"event": "user", "text": "查话费"},
            {"event": "action", "name": "balance_form"},
            {"event": "bot", "text": "请提供号码"},
        ],
        [{"event": "user", "text": "转人工"}],
    ]
    assert load_conversations(database_url, since=400.0) == [[{"event": "user", "text": "转人工"}]]
