"""账单解读: a month's bill against the month before, with the usage and the orders behind it."""

from typing import Any, Dict, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import NotFound
from bot.services.operator.accounts import require_line
from bot.services.operator.bill_changes import compare
from bot.services.operator.disputes import order_json
from bot.services.operator.tables import bill_items, bills, packages, subscriptions
from bot.services.operator.usage import month_usage


async def _bill(conn: AsyncConnection, phone: str, bill_type: str, month: str) -> Optional[Dict[str, Any]]:
    row = (
        await conn.execute(
            select(bills).where((bills.c.phone == phone) & (bills.c.bill_type == bill_type) & (bills.c.month == month))
        )
    ).first()
    if row is None:
        return None
    items = (
        await conn.execute(select(bill_items).where(bill_items.c.bill_id == row.id).order_by(bill_items.c.id))
    ).all()
    return {
        "month": row.month,
        "amount_fen": row.amount_fen,
        "items": [
            {
                "description": item.description,
                "amount_fen": item.amount_fen,
                "category": item.category,
                "subscription_id": item.subscription_id,
            }
            for item in items
        ],
    }


async def _orders(conn: AsyncConnection, phone: str) -> Dict[int, Dict[str, Any]]:
    rows = (
        await conn.execute(
            select(subscriptions, packages.c.name, packages.c.overage_fen_per_gb, packages.c.kind)
            .select_from(subscriptions.join(packages))
            .where(subscriptions.c.phone == phone)
        )
    ).all()
    return {
        row.id: {"name": row.name, "kind": row.kind, "started_on": row.started_on.isoformat(), "order": order_json(row)}
        for row in rows
    }


async def _overage_price(conn: AsyncConnection, phone: str, month: str) -> Optional[int]:
    """The per-GB price of the main plan billed in `month`."""
    row = (
        await conn.execute(
            select(packages.c.overage_fen_per_gb)
            .select_from(bill_items.join(bills).join(subscriptions).join(packages))
            .where((bills.c.phone == phone) & (bills.c.month == month) & (packages.c.kind == "main"))
        )
    ).first()
    return row.overage_fen_per_gb if row else None


async def explain(db: Database, phone: str, month: Optional[str] = None, bill_type: str = "话费") -> Dict[str, Any]:
    """Compare the bill of `month` (default: last month's, the latest complete one) with the one
    before it."""
    cycle = clk.cycle_of(clk.local_date(db.clock()))
    month = month or clk.previous_cycle(cycle)
    previous_month = clk.previous_cycle(month)
    history = {m.cycle: m for m in await month_usage(db, phone, months=4)}
    async with db.read() as conn:
        await require_line(conn, phone)
        bill = await _bill(conn, phone, bill_type, month)
        if bill is None:
            raise NotFound("no bill for this month", details={"field": "month"})
        previous = await _bill(conn, phone, bill_type, previous_month)
        orders = await _orders(conn, phone)
        price = await _overage_price(conn, phone, month)
    now, before = history.get(month), history.get(previous_month)
    explained = compare(
        bill,
        previous,
        data_over_mb=now.data_over_mb if now and bill_type == "话费" else 0,
        previous_data_over_mb=before.data_over_mb if before and bill_type == "话费" else 0,
        overage_fen_per_gb=price,
        orders=orders,
    )
    return {"phone": phone, "bill_type": bill_type, **explained}
