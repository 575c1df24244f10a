"""A customer disputes a subscription they say they never ordered (未经同意订购).

Without a confirmation on record for that order, the subscription ends today with no 违约金, and a
complaint of category 未经同意订购 is opened with a refund request for everything it was charged, the
customer's statement as its description. With a confirmation on record the backend changes nothing
and answers 409 with that record: a human decides. Disputing the same order again answers the same
complaint.
"""

from typing import Any, Dict

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import Conflict, NotFound
from bot.services.operator import tickets
from bot.services.operator.accounts import require_line
from bot.services.operator.tables import bill_items, bills, packages, subscriptions

CATEGORY = "未经同意订购"
DISPUTABLE_KINDS = ("addon",)


async def _subscription(conn: AsyncConnection, phone: str, subscription_id: int) -> Any:
    row = (
        await conn.execute(
            select(subscriptions, packages.c.name, packages.c.kind)
            .select_from(subscriptions.join(packages))
            .where((subscriptions.c.id == subscription_id) & (subscriptions.c.phone == phone))
        )
    ).first()
    if row is None:
        raise NotFound("this line has no such subscription", details={"field": "subscription_id"})
    return row


async def charged_so_far(conn: AsyncConnection, phone: str, subscription_id: int) -> int:
    """Everything the line's bills charged for this subscription."""
    total = (
        await conn.execute(
            select(func.coalesce(func.sum(bill_items.c.amount_fen), 0))
            .select_from(bill_items.join(bills))
            .where((bills.c.phone == phone) & (bill_items.c.subscription_id == subscription_id))
        )
    ).scalar_one()
    return int(total)


def order_json(row: Any) -> Dict[str, Any]:
    return {
        "ordered_at": clk.iso(clk.from_db(row.ordered_at)) if row.ordered_at else None,
        "channel": row.order_channel,
        "confirmation": row.order_confirmation,
        "consent_id": row.order_consent_id,
    }


class _Raced(Exception):
    """Another request disputed the same subscription meanwhile: this one's ticket is rolled back."""


async def dispute(db: Database, phone: str, subscription_id: int, statement: str) -> Dict[str, Any]:
    for _attempt in range(5):
        try:
            return await _dispute(db, phone, subscription_id, statement)
        except IntegrityError:
            continue  # two tickets took the same number at once (PostgreSQL): draw again
        except _Raced:
            continue  # the other request's dispute is on record now: answered as a repeat
    raise RuntimeError("could not allocate a ticket number")


async def _dispute(db: Database, phone: str, subscription_id: int, statement: str) -> Dict[str, Any]:
    now = db.clock()
    async with db.write() as conn:
        await require_line(conn, phone)
        row = await _subscription(conn, phone, subscription_id)
        if row.dispute_ticket_id is not None:
            replayed = True
            ticket_id = row.dispute_ticket_id
        else:
            replayed = False
            if row.kind not in DISPUTABLE_KINDS:
                raise Conflict(
                    "only a value-added or add-on order can be disputed here", details={"reason": "not_disputable"}
                )
            if row.order_confirmation or row.order_consent_id:
                raise Conflict(
                    "the order has a confirmation on record",
                    details={"reason": "order_confirmed", "order": order_json(row)},
                )
            if row.status == "cancelled":
                raise Conflict("this subscription is already cancelled", details={"reason": "already_cancelled"})
            refund = await charged_so_far(conn, phone, subscription_id)
            ticket_id = await tickets.insert_ticket(
                conn,
                now,
                phone=phone,
                kind="投诉",
                category=CATEGORY,
                description=f"客户称未订购{row.name}（{_order_line(row)}），要求退订并退还已扣费用。客户陈述：{statement}",
                refund_fen=refund,
            )
            # Only while no dispute is on record: a concurrent one (PostgreSQL) waits for this row's
            # lock, then finds it taken and starts over as a repeat, its own complaint rolled back.
            result = await conn.execute(
                update(subscriptions)
                .where((subscriptions.c.id == subscription_id) & subscriptions.c.dispute_ticket_id.is_(None))
                .values(status="cancelled", cancel_effective=clk.local_date(now), dispute_ticket_id=ticket_id)
            )
            if result.rowcount != 1:
                raise _Raced()
    ticket = await tickets.get(db, ticket_id)
    return {
        "subscription_id": subscription_id,
        "package_name": row.name,
        "order": order_json(row),
        "cancelled_on": row.cancel_effective.isoformat() if replayed else clk.local_date(now).isoformat(),
        "early_termination_fee_fen": 0,
        "refund_fen": ticket["refund_fen"],
        "ticket": ticket,
        "replayed": replayed,
    }


def _order_line(row: Any) -> str:
    when = clk.iso(clk.from_db(row.ordered_at))[:10] if row.ordered_at else "日期不详"
    return f"{when}经{row.order_channel or '不明渠道'}订购，无客户确认记录"
