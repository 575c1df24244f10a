"""Reading the dashboard's rows: customer messages and sessions from Rasa's tracker store (read
only), cases from the handoff database, ratings and callbacks from the operator backend (over its
client). A source that cannot be read is reported as such; the others still give their figures."""

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import and_, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from bot.clients.base import Rejected, Unavailable
from bot.clients.operator import OperatorClient
from bot.core import clock as clk
from bot.core.db import Database
from bot.services.desk.reports.figures import Case, Message, Rating
from bot.services.desk.tables import agents, case_messages, cases

logger = logging.getLogger(__name__)

# Cases opened this long before the period still count for the ratings given in it (CSAT per agent).
RATING_LOOKBACK = dt.timedelta(days=2)

EVENTS = text(
    "SELECT sender_id, type_name, timestamp, data FROM events "
    "WHERE type_name IN ('user', 'session_started') AND timestamp >= :since AND timestamp < :until "
    "ORDER BY id"
)


@dataclass
class Rows:
    messages: List[Message] = field(default_factory=list)
    sessions: List[Tuple[str, List[Message]]] = field(default_factory=list)
    cases: List[Case] = field(default_factory=list)
    ratings: List[Rating] = field(default_factory=list)
    callbacks: List[dt.datetime] = field(default_factory=list)
    agents: Dict[int, str] = field(default_factory=dict)
    missing: List[str] = field(default_factory=list)  # tracker | backend: not read


def message_of(sender_id: str, timestamp: float, data: str) -> Optional[Message]:
    try:
        event = json.loads(data)
    except ValueError:
        return None
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
    return Message(
        sender_id=sender_id,
        at=dt.datetime.fromtimestamp(timestamp, dt.timezone.utc),
        text=str(event.get("text") or ""),
        intent=intent,
    )


def sessions_of(rows: List[Any]) -> Tuple[List[Message], List[Tuple[str, List[Message]]]]:
    """Customer messages, and each sender's sessions (split at session_started) with theirs."""
    messages: List[Message] = []
    current: Dict[str, List[Message]] = {}
    sessions: List[Tuple[str, List[Message]]] = []
    for sender_id, type_name, timestamp, data in rows:
        if type_name == "session_started":
            current.pop(sender_id, None)
            continue
        message = message_of(sender_id, timestamp or 0.0, data)
        if message is None:
            continue
        messages.append(message)
        if sender_id not in current:
            current[sender_id] = []
            sessions.append((sender_id, current[sender_id]))
        current[sender_id].append(message)
    return messages, sessions


def _has_events(connection: Any) -> bool:
    return bool(inspect(connection).has_table("events"))


async def read_tracker(tracker: Database, since: dt.datetime, until: dt.datetime) -> List[Any]:
    async with tracker.read() as conn:
        if not await conn.run_sync(_has_events):
            return []
        result = await conn.execute(EVENTS, {"since": since.timestamp(), "until": until.timestamp()})
        return list(result.all())


async def read_cases(db: Database, since: dt.datetime, until: dt.datetime) -> Tuple[List[Case], Dict[int, str]]:
    first_reply = (
        select(case_messages.c.case_id, func.min(case_messages.c.at).label("first_reply_at"))
        .where(case_messages.c.role == "agent")
        .group_by(case_messages.c.case_id)
        .subquery()
    )
    query = (
        select(cases, first_reply.c.first_reply_at)
        .outerjoin(first_reply, first_reply.c.case_id == cases.c.id)
        .where(and_(cases.c.created_at >= clk.to_db(since - RATING_LOOKBACK), cases.c.created_at < clk.to_db(until)))
        .order_by(cases.c.id)
    )

    def aware(moment: Optional[dt.datetime]) -> Optional[dt.datetime]:
        return clk.from_db(moment) if moment is not None else None

    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
        names = {row.id: row.name for row in (await conn.execute(select(agents.c.id, agents.c.name))).all()}
    found = [
        Case(
            id=row.id,
            sender_id=row.sender_id,
            reason=row.reason,
            status=row.status,
            created_at=clk.from_db(row.created_at),
            taken_at=aware(row.taken_at),
            ended_at=aware(row.ended_at),
            agent_id=row.agent_id,
            first_reply_at=aware(row.first_reply_at),
        )
        for row in rows
    ]
    return found, names


async def read_backend(
    operator: OperatorClient, since: dt.datetime, until: dt.datetime
) -> Tuple[List[Rating], List[dt.datetime]]:
    answer = await operator.report_activity(since, until)
    ratings = [
        Rating(
            sender_id=item["sender_id"],
            task=item["task"],
            score=int(item["score"]),
            at=dt.datetime.fromisoformat(item["created_at"]),
        )
        for item in answer.get("ratings", [])
    ]
    callbacks = [dt.datetime.fromisoformat(item["created_at"]) for item in answer.get("callbacks", [])]
    return ratings, callbacks


async def read_all(
    db: Database,
    tracker: Optional[Database],
    operator: Optional[OperatorClient],
    since: dt.datetime,
    until: dt.datetime,
) -> Tuple[Rows, List[Any]]:
    """Every source's rows for [since, until), and the tracker's raw rows (parsed off the loop)."""
    rows = Rows()
    rows.cases, rows.agents = await read_cases(db, since, until)
    raw: List[Any] = []
    if tracker is None:
        rows.missing.append("tracker")
    else:
        try:
            raw = await read_tracker(tracker, since, until)
        except (SQLAlchemyError, OSError) as error:
            logger.warning("dashboard: the tracker store could not be read: %s", error)
            rows.missing.append("tracker")
    if operator is None:
        rows.missing.append("backend")
    else:
        try:
            rows.ratings, rows.callbacks = await read_backend(operator, since, until)
        except (Unavailable, Rejected) as error:
            logger.warning("dashboard: the operator backend did not give its activity: %s", error)
            rows.missing.append("backend")
    return rows, raw
