"""A line's usage over the last months against what its subscriptions allowed, and the money that
went in and out of its prepaid balance."""

import datetime as dt
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.services.operator.accounts import require_line
from bot.services.operator.plan_advice import MonthUsage
from bot.services.operator.tables import bill_items, bills, packages, payments, subscriptions, usage

HISTORY_MONTHS = 3


def _counted_in(cycle: str) -> Any:
    """The subscriptions whose allowance counted in `cycle`, by their dates alone: started by its last
    day (a plan change scheduled for next month has not), not ended before its first day."""
    first, last = clk.first_day(cycle), clk.last_day(cycle)
    return (
        (subscriptions.c.started_on <= last)
        & (subscriptions.c.cancel_effective.is_(None) | (subscriptions.c.cancel_effective > first))
        & (subscriptions.c.valid_until.is_(None) | (subscriptions.c.valid_until >= first))
    )


async def _allowance(conn: AsyncConnection, phone: str, cycle: str) -> Dict[str, int]:
    rows = (
        await conn.execute(
            select(packages.c.data_mb, packages.c.voice_min)
            .select_from(subscriptions.join(packages))
            .where((subscriptions.c.phone == phone) & _counted_in(cycle))
        )
    ).all()
    return {"data_mb": sum(row.data_mb for row in rows), "voice_min": sum(row.voice_min for row in rows)}


async def _overage_billed(conn: AsyncConnection, phone: str, cycle: str) -> int:
    rows = (
        await conn.execute(
            select(bill_items.c.amount_fen)
            .select_from(bill_items.join(bills))
            .where((bills.c.phone == phone) & (bills.c.month == cycle) & (bill_items.c.category == "overage"))
        )
    ).all()
    return sum(row.amount_fen for row in rows)


async def month_usage(db: Database, phone: str, months: int = HISTORY_MONTHS) -> List[MonthUsage]:
    """The last `months` complete cycles, oldest first, then the current one (not complete)."""
    cycle = clk.cycle_of(clk.local_date(db.clock()))
    cycles = [clk.previous_cycle(cycle, n) for n in range(months, 0, -1)] + [cycle]
    async with db.read() as conn:
        await require_line(conn, phone)
        used = {
            row.cycle: row
            for row in await conn.execute(select(usage).where((usage.c.phone == phone) & usage.c.cycle.in_(cycles)))
        }
        history = []
        for month in cycles:
            allowance = await _allowance(conn, phone, month)
            row = used.get(month)
            history.append(
                MonthUsage(
                    cycle=month,
                    complete=month != cycle,
                    data_used_mb=row.data_used_mb if row else 0,
                    data_allowance_mb=allowance["data_mb"],
                    voice_used_min=row.voice_used_min if row else 0,
                    voice_allowance_min=allowance["voice_min"],
                    overage_fen=await _overage_billed(conn, phone, month),
                )
            )
    return history


async def movements(db: Database, phone: str, since: Optional[dt.datetime] = None) -> Dict[str, Any]:
    """Top-ups and charges of the prepaid 话费 balance since `since` (default: the start of this
    month), oldest first, with the balance now. A month's fees are charged on its first day at 00:00."""
    now = db.clock()
    since = since or clk.local_moment(clk.first_day(clk.cycle_of(clk.local_date(now))), 0)
    async with db.read() as conn:
        line = await require_line(conn, phone)
        top_ups = (
            await conn.execute(
                select(payments)
                .where(
                    (payments.c.phone == phone)
                    & (payments.c.bill_type == "话费")
                    & (payments.c.status == "succeeded")
                    & (payments.c.created_at >= clk.to_db(since))
                )
                .order_by(payments.c.id)
            )
        ).all()
        items = (
            await conn.execute(
                select(bill_items, bills.c.month)
                .select_from(bill_items.join(bills))
                .where((bills.c.phone == phone) & (bills.c.bill_type == "话费"))
                .order_by(bill_items.c.id)
            )
        ).all()
    moves = [
        {
            "at": clk.from_db(row.created_at),
            "kind": "top_up",
            "description": f"{row.method}充值",
            "amount_fen": row.amount_fen,
        }
        for row in top_ups
    ]
    for item in items:
        at = clk.from_db(item.charged_at) if item.charged_at else clk.local_moment(clk.first_day(item.month), 0)
        if at >= since and item.category != "overage":  # overage is settled with the month's bill
            moves.append({"at": at, "kind": "charge", "description": item.description, "amount_fen": -item.amount_fen})
    moves.sort(key=lambda move: move["at"])
    return {
        "since": clk.iso(since),
        "balance_fen": line.balance_fen,
        "movements": [{**move, "at": clk.iso(move["at"])} for move in moves],
        "total_fen": sum(move["amount_fen"] for move in moves),
    }
