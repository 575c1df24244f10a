"""Tickets waiting for the operator backend (a callback, a fault report, a complaint the bot could not
open while the backend was down or slower than its timeout).

The action server queues them here (POST /v1/pending-tickets); the handoff service's retry loop
submits each to the backend once it answers, then tells the customer the ticket number through the
Rasa delivery endpoint (`utter_ticket_submitted`). The backend is asked again only while no number
is recorded; a refusal (4xx) is kept with its reason and not retried. (The backend's ticket API has
no idempotency key: an answer lost after the backend created the ticket can give a second ticket,
never a lost one.)
"""

import json
import logging
from typing import Any, Dict, List, Optional

from sqlalchemy import select, update

from bot.core import clock as clk
from bot.core.db import Database
from bot.services.desk.tables import pending_tickets

logger = logging.getLogger(__name__)

KINDS = frozenset({"回访", "故障报修", "投诉"})


async def queue(db: Database, sender_id: str, channel: str, ticket: Dict[str, Any]) -> int:
    async with db.write() as conn:
        result = await conn.execute(
            pending_tickets.insert().values(
                sender_id=sender_id,
                channel=channel,
                ticket=json.dumps(ticket, ensure_ascii=False),
                at=clk.to_db(db.clock()),
                attempts=0,
            )
        )
        return int(result.inserted_primary_key[0])


def _row(row: Any) -> Dict[str, Any]:
    return {
        "id": row.id,
        "sender_id": row.sender_id,
        "channel": row.channel,
        "ticket": json.loads(row.ticket),
        "attempts": row.attempts,
        "ticket_id": row.ticket_id,
        "failed": row.failed,
        "submitted": row.submitted_at is not None,
        "notified": row.notified_at is not None,
    }


async def unsubmitted(db: Database, limit: int = 50) -> List[Dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(pending_tickets)
                .where(pending_tickets.c.submitted_at.is_(None), pending_tickets.c.failed.is_(None))
                .order_by(pending_tickets.c.id)
                .limit(limit)
            )
        ).all()
    return [_row(row) for row in rows]


async def unnotified(db: Database, limit: int = 50) -> List[Dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(pending_tickets)
                .where(pending_tickets.c.submitted_at.is_not(None), pending_tickets.c.notified_at.is_(None))
                .order_by(pending_tickets.c.id)
                .limit(limit)
            )
        ).all()
    return [_row(row) for row in rows]


async def get(db: Database, pending_id: int) -> Optional[Dict[str, Any]]:
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(pending_tickets).where(pending_tickets.c.id == pending_id))).first()
    return _row(row) if row is not None else None


async def mark_attempt(db: Database, pending_id: int) -> None:
    async with db.write() as conn:
        await conn.execute(
            update(pending_tickets)
            .where(pending_tickets.c.id == pending_id)
            .values(attempts=pending_tickets.c.attempts + 1)
        )


async def mark_submitted(db: Database, pending_id: int, ticket_id: str) -> None:
    async with db.write() as conn:
        await conn.execute(
            update(pending_tickets)
            .where(pending_tickets.c.id == pending_id)
            .values(ticket_id=ticket_id, submitted_at=clk.to_db(db.clock()))
        )


async def mark_failed(db: Database, pending_id: int, reason: str) -> None:
    async with db.write() as conn:
        await conn.execute(
            update(pending_tickets).where(pending_tickets.c.id == pending_id).values(failed=reason[:500])
        )


async def mark_notified(db: Database, pending_id: int) -> None:
    async with db.write() as conn:
        await conn.execute(
            update(pending_tickets).where(pending_tickets.c.id == pending_id).values(notified_at=clk.to_db(db.clock()))
        )
