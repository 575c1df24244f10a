"""Conversations in Rasa's SQL tracker store (SQLite or PostgreSQL, table `events`), read and
deleted directly, as the trainers' tools read them (bot/ml/trainers/tracker_events.py).

Retention keeps the session still in progress of a conversation active since the cut-off whole
(Rasa replays it from its `session_started` event); everything else older than the cut-off goes.
Each statement deletes by condition, so a second run, or one on another host at the same time,
finds nothing more to delete.
"""

import json
from typing import Any, Dict, Iterable, List, Sequence

from sqlalchemy import bindparam, create_engine, inspect, text

PURGE_LOCK = 0x7E1E_0002  # PostgreSQL advisory lock of the purge

# Old enough, and either the conversation is idle since the cut-off or the event belongs to an
# earlier session than the latest (Rasa reads a conversation from its latest session_started).
PURGE = text("""
DELETE FROM events
WHERE timestamp < :cutoff
  AND (NOT EXISTS (SELECT 1 FROM events AS recent
                   WHERE recent.sender_id = events.sender_id AND recent.timestamp >= :cutoff)
       OR timestamp < (SELECT MAX(started.timestamp) FROM events AS started
                       WHERE started.sender_id = events.sender_id AND started.type_name = 'session_started'))
""")


def _has_events(conn: Any) -> bool:
    return inspect(conn).has_table("events")


def purge(url: str, cutoff: float) -> int:
    """Delete the events older than `cutoff` (a Unix time) that Rasa no longer replays; the count."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if not _has_events(conn):
                return 0
            if conn.dialect.name == "postgresql":  # hosts purging at once take turns (no deadlock)
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK})
            return conn.execute(PURGE, {"cutoff": cutoff}).rowcount
    finally:
        engine.dispose()


def spellings(phone: str) -> List[str]:
    """How a number is written in stored messages and slots: 13800138000, 138 0013 8000, 138-0013-8000."""
    return [phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"]


def find(url: str, phone: str, sender_ids: Iterable[str] = ()) -> Dict[str, List[Dict[str, Any]]]:
    """Every event (all sessions, oldest first) of each conversation that mentions the number in a
    message or slot, or whose sender id is given (a WeChat follower bound to it)."""
    known = sorted(set(sender_ids))
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not _has_events(conn):
                return {}
            likes = " OR ".join(f"data LIKE :p{index}" for index in range(len(spellings(phone))))
            params: Dict[str, Any] = {f"p{index}": f"%{spelled}%" for index, spelled in enumerate(spellings(phone))}
            query = f"SELECT DISTINCT sender_id FROM events WHERE {likes}"
            if known:
                query += " OR sender_id IN :known"
                params["known"] = known
            statement = text(query)
            if known:
                statement = statement.bindparams(bindparam("known", expanding=True))
            senders = sorted(row[0] for row in conn.execute(statement, params))
            if not senders:
                return {}
            rows = conn.execute(
                text("SELECT sender_id, data FROM events WHERE sender_id IN :senders ORDER BY id").bindparams(
                    bindparam("senders", expanding=True)
                ),
                {"senders": senders},
            ).all()
    finally:
        engine.dispose()
    found: Dict[str, List[Dict[str, Any]]] = {sender: [] for sender in senders}
    for sender_id, data in rows:
        found[sender_id].append(json.loads(data))
    return found


def delete(url: str, sender_ids: Sequence[str]) -> int:
    """Delete these conversations whole; the count of events deleted."""
    if not sender_ids:
        return 0
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if not _has_events(conn):
                return 0
            return conn.execute(
                text("DELETE FROM events WHERE sender_id IN :senders").bindparams(bindparam("senders", expanding=True)),
                {"senders": list(sender_ids)},
            ).rowcount
    finally:
        engine.dispose()
