"""Tickets: 故障报修 (faults), 投诉 (complaints) and 回访 (callbacks), with SLA and status history."""

import datetime as dt
from typing import Any, Dict, List, Optional

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import NotFound
from bot.services.operator.accounts import require_line
from bot.services.operator.tables import ticket_events, tickets

# Promised response times: urgent at once (within the hour), routine 24 h, complex 72 h.
SLA = {
    "urgent": dt.timedelta(hours=1),
    "routine": dt.timedelta(hours=24),
    "complex": dt.timedelta(hours=72),
}
URGENT_FAULTS = ("断网", "无信号")
COMPLEX_COMPLAINTS = ("计费争议", "乱扣费", "服务质量", "多次投诉", "未经同意订购")
STATUSES = ("待处理", "处理中", "已解决", "已关闭")


def default_priority(kind: str, category: str) -> str:
    """The operator's triage rule when the caller does not set a priority."""
    if kind == "故障报修":
        return "urgent" if category in URGENT_FAULTS else "routine"
    if kind == "投诉":
        return "complex" if category in COMPLEX_COMPLAINTS else "routine"
    return "routine"


async def create(
    db: Database,
    *,
    phone: str,
    kind: str,
    category: str,
    description: str,
    address: Optional[str] = None,
    priority: Optional[str] = None,
) -> Dict[str, Any]:
    for _attempt in range(5):
        try:
            async with db.write() as conn:
                await require_line(conn, phone)
                ticket_id = await insert_ticket(
                    conn,
                    db.clock(),
                    phone=phone,
                    kind=kind,
                    category=category,
                    description=description,
                    address=address,
                    priority=priority,
                )
            return await get(db, ticket_id)
        except IntegrityError:
            continue  # two tickets took the same number at once (PostgreSQL): draw again
    raise RuntimeError("could not allocate a ticket number")


async def insert_ticket(
    conn: AsyncConnection,
    now: dt.datetime,
    *,
    phone: str,
    kind: str,
    category: str,
    description: str,
    address: Optional[str] = None,
    priority: Optional[str] = None,
    refund_fen: Optional[int] = None,
) -> str:
    """A new ticket inside the caller's transaction; returns its number. Two transactions may draw
    the same number at once (PostgreSQL): the second fails with IntegrityError and draws again."""
    priority = priority or default_priority(kind, category)
    ticket_id = await _next_id(conn, clk.local_date(now))
    await conn.execute(
        tickets.insert().values(
            id=ticket_id,
            phone=phone,
            kind=kind,
            category=category,
            description=description,
            address=address,
            priority=priority,
            status="待处理",
            created_at=clk.to_db(now),
            sla_due=clk.to_db(now + SLA[priority]),
            refund_fen=refund_fen,
        )
    )
    await conn.execute(
        ticket_events.insert().values(ticket_id=ticket_id, at=clk.to_db(now), status="待处理", note="工单已创建")
    )
    return ticket_id


async def _next_id(conn: AsyncConnection, day: dt.date) -> str:
    prefix = f"T{day:%Y%m%d}"
    last = (await conn.execute(select(func.max(tickets.c.id)).where(tickets.c.id.like(prefix + "%")))).scalar_one()
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:03d}"


async def get(db: Database, ticket_id: str) -> Dict[str, Any]:
    async with db.read() as conn:
        row = (await conn.execute(select(tickets).where(tickets.c.id == ticket_id))).first()
        if row is None:
            raise NotFound("unknown ticket", details={"field": "ticket_id"})
        events = (
            await conn.execute(
                select(ticket_events).where(ticket_events.c.ticket_id == ticket_id).order_by(ticket_events.c.id)
            )
        ).all()
    return ticket_json(row, events)


async def list_for(db: Database, phone: str) -> List[Dict[str, Any]]:
    async with db.read() as conn:
        await require_line(conn, phone)
        rows = (
            await conn.execute(
                select(tickets.c.id)
                .where(tickets.c.phone == phone)
                .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
            )
        ).all()
    return [await get(db, row.id) for row in rows]


async def set_status(db: Database, ticket_id: str, status: str, note: str) -> Dict[str, Any]:
    async with db.write() as conn:
        found = await conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(status=status))
        if found.rowcount == 0:
            raise NotFound("unknown ticket", details={"field": "ticket_id"})
        await conn.execute(
            ticket_events.insert().values(ticket_id=ticket_id, at=clk.to_db(db.clock()), status=status, note=note)
        )
    return await get(db, ticket_id)


def ticket_json(row: Any, events: List[Any]) -> Dict[str, Any]:
    return {
        "id": row.id,
        "phone": row.phone,
        "kind": row.kind,
        "category": row.category,
        "description": row.description,
        "address": row.address,
        "priority": row.priority,
        "status": row.status,
        "created_at": clk.iso(clk.from_db(row.created_at)),
        "sla_due": clk.iso(clk.from_db(row.sla_due)),
        "refund_fen": row.refund_fen,
        "history": [
            {"at": clk.iso(clk.from_db(event.at)), "status": event.status, "note": event.note} for event in events
        ],
    }
