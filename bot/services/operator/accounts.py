"""Lines, balances and this cycle's usage."""

import datetime as dt
from typing import Any, Dict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.core import clock as clk
from bot.core.db import Database
from bot.services.operator.errors import UnknownNumber
from bot.services.operator.tables import customers, lines, packages, subscriptions, usage

# Subscriptions whose allowance still counts this cycle (a cancellation takes effect next month).
COUNTING_STATUSES = ("active", "cancel_pending")


def in_force(day: dt.date) -> ColumnElement:
    """The subscriptions that count on `day`, read from their dates: a cancellation or a plan change
    takes effect on its date without a job flipping the status, and a one-off pack lapses after its
    last day."""
    counting = (
        subscriptions.c.status.in_(COUNTING_STATUSES)
        & (subscriptions.c.cancel_effective.is_(None) | (subscriptions.c.cancel_effective > day))
        & (subscriptions.c.valid_until.is_(None) | (subscriptions.c.valid_until >= day))
    )
    started = (subscriptions.c.status == "scheduled") & (subscriptions.c.started_on <= day)
    return counting | started


def status_on(row: Any, day: dt.date) -> str:
    """A subscription's status on `day`, by the same dates as `in_force`."""
    if row.status == "scheduled":
        return "active" if row.started_on <= day else "scheduled"
    if row.status == "cancel_pending" and row.cancel_effective is not None and row.cancel_effective <= day:
        return "cancelled"
    if row.status in COUNTING_STATUSES and row.valid_until is not None and row.valid_until < day:
        return "expired"
    return str(row.status)


async def require_line(conn: AsyncConnection, phone: str) -> Any:
    row = (
        await conn.execute(
            select(lines, customers.c.name.label("customer_name"))
            .join(customers, customers.c.id == lines.c.customer_id)
            .where(lines.c.phone == phone)
        )
    ).first()
    if row is None:
        raise UnknownNumber("unknown phone number")
    return row


def line_json(row: Any) -> Dict[str, Any]:
    return {
        "phone": row.phone,
        "customer_name": row.customer_name,
        "status": row.status,
        "balance_fen": row.balance_fen,
        "in_arrears": row.balance_fen < 0,
        "arrears_fen": max(0, -row.balance_fen),
    }


async def get_line(db: Database, phone: str) -> Dict[str, Any]:
    async with db.read() as conn:
        return line_json(await require_line(conn, phone))


async def get_balance(db: Database, phone: str) -> Dict[str, Any]:
    """Money balance plus data and voice used/total for the current cycle."""
    cycle = clk.cycle_of(clk.local_date(db.clock()))
    async with db.read() as conn:
        line = await require_line(conn, phone)
        totals = (
            await conn.execute(
                select(
                    func.coalesce(func.sum(packages.c.data_mb), 0),
                    func.coalesce(func.sum(packages.c.voice_min), 0),
                )
                .select_from(subscriptions.join(packages))
                .where(subscriptions.c.phone == phone)
                .where(in_force(clk.local_date(db.clock())))
            )
        ).one()
        used = (
            await conn.execute(
                select(usage.c.data_used_mb, usage.c.voice_used_min).where(
                    (usage.c.phone == phone) & (usage.c.cycle == cycle)
                )
            )
        ).first()
    data_total, voice_total = int(totals[0]), int(totals[1])
    data_used = used.data_used_mb if used else 0
    voice_used = used.voice_used_min if used else 0
    return {
        **line_json(line),
        "as_of": clk.iso(db.clock()),
        "cycle": cycle,
        "data_mb": _allowance(data_total, data_used),
        "voice_min": _allowance(voice_total, voice_used),
    }


def _allowance(total: int, used: int) -> Dict[str, int]:
    return {"total": total, "used": used, "left": max(0, total - used)}
