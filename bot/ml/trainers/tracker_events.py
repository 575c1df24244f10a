"""Reading conversations back from Rasa's SQL tracker store (SQLite or PostgreSQL)."""

import json
from typing import Any, Dict, List, Optional

from sqlalchemy import create_engine, text

KINDS = ("user", "action", "bot", "pause", "resume", "restart", "session_started")


def load_conversations(
    url: str, since: Optional[float] = None, until: Optional[float] = None
) -> List[List[Dict[str, Any]]]:
    """The events of every conversation (oldest first) with any event in [since, until)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            kinds = ", ".join(f"'{kind}'" for kind in KINDS)  # constants, not input
            rows = conn.execute(
                text(f"SELECT sender_id, data, timestamp FROM events WHERE type_name IN ({kinds}) ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    conversations: Dict[str, List[Dict[str, Any]]] = {}
    active = set()
    for sender_id, data, timestamp in rows:
        conversations.setdefault(sender_id, []).append(json.loads(data))
        if (since is None or (timestamp or 0) >= since) and (until is None or (timestamp or 0) < until):
            active.add(sender_id)
    return [events for sender_id, events in conversations.items() if sender_id in active]
