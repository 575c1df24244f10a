"""Package catalogue, a line's subscriptions, and cancellation (quote, then consented cancel)."""

import datetime as dt
from typing import Any, Dict, List, Optional

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import Conflict, NotFound
from bot.services.operator.accounts import get_balance, require_line, status_on
from bot.services.operator.consents import require_confirmed
from bot.services.operator.errors import UnknownPackage
from bot.services.operator.tables import bill_items, bills, family_shares, lines, packages, subscriptions


def package_json(row: Any) -> Dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "kind": row.kind,
        "monthly_fee_fen": row.monthly_fee_fen,
        "data_mb": row.data_mb,
        "voice_min": row.voice_min,
        "description": row.description,
        "open_to_new": bool(row.open_to_new),
        "contract_months": row.contract_months,
        "family_slots": row.family_slots,
        "overage_fen_per_gb": row.overage_fen_per_gb,
        "pack_type": row.pack_type,
        "one_off": bool(row.one_off),
    }


async def catalogue(db: Database) -> List[Dict[str, Any]]:
    async with db.read() as conn:
        rows = (await conn.execute(select(packages).order_by(packages.c.kind, packages.c.code))).all()
    return [package_json(row) for row in rows]


async def find_package(db: Database, name: str) -> Dict[str, Any]:
    async with db.read() as conn:
        row = (await conn.execute(select(packages).where(packages.c.name == name))).first()
    if row is None:
        raise UnknownPackage("unknown package", details={"field": "name"})
    return package_json(row)


_SUBSCRIPTION_COLUMNS = (
    subscriptions,
    packages.c.name,
    packages.c.kind,
    packages.c.monthly_fee_fen,
    packages.c.data_mb,
    packages.c.voice_min,
    packages.c.pack_type,
    packages.c.one_off,
    packages.c.family_slots,
)


async def _family_members(conn: AsyncConnection, subscription_id: int) -> List[str]:
    rows = await conn.execute(
        select(family_shares.c.member_phone)
        .where(family_shares.c.subscription_id == subscription_id)
        .order_by(family_shares.c.member_phone)
    )
    return [row.member_phone for row in rows]


async def subscription_json(conn: AsyncConnection, row: Any, today: dt.date) -> Dict[str, Any]:
    in_contract = row.contract_end is not None and row.contract_end >= today
    return {
        "id": row.id,
        "package_code": row.package_code,
        "name": row.name,
        "kind": row.kind,
        "monthly_fee_fen": row.monthly_fee_fen,
        "data_mb": row.data_mb,
        "voice_min": row.voice_min,
        "started_on": row.started_on.isoformat(),
        "contract_end": row.contract_end.isoformat() if row.contract_end else None,
        "in_contract": in_contract,
        "early_termination_fee_fen": row.early_termination_fee_fen if in_contract else 0,
        "broadband_account": row.broadband_account,
        "status": status_on(row, today),
        "cancel_effective": row.cancel_effective.isoformat() if row.cancel_effective else None,
        "family_members": await _family_members(conn, row.id),
        "pack_type": row.pack_type,
        "one_off": bool(row.one_off),
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        "order": {
            "ordered_at": clk.iso(clk.from_db(row.ordered_at)) if row.ordered_at else None,
            "channel": row.order_channel,
            "confirmation": row.order_confirmation,
            "consent_id": row.order_consent_id,
        },
    }


ENDED = ("cancelled", "expired")


async def subscription_rows(conn: AsyncConnection, phone: str) -> List[Any]:
    """All of a line's subscriptions with their product, in order."""
    query = (
        select(*_SUBSCRIPTION_COLUMNS)
        .select_from(subscriptions.join(packages))
        .where(subscriptions.c.phone == phone)
        .order_by(subscriptions.c.id)
    )
    return list((await conn.execute(query)).all())


async def list_subscriptions(db: Database, phone: str, *, include_ended: bool = False) -> List[Dict[str, Any]]:
    today = clk.local_date(db.clock())
    async with db.read() as conn:
        await require_line(conn, phone)
        listed = [await subscription_json(conn, row, today) for row in await subscription_rows(conn, phone)]
    return [s for s in listed if include_ended or s["status"] not in ENDED]


async def _require_subscription(
    conn: AsyncConnection, phone: str, subscription_id: int, *, for_update: bool = False
) -> Any:
    query = (
        select(*_SUBSCRIPTION_COLUMNS)
        .select_from(subscriptions.join(packages))
        .where((subscriptions.c.id == subscription_id) & (subscriptions.c.phone == phone))
    )
    if for_update:
        query = query.with_for_update(of=subscriptions)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("this line has no such subscription", details={"field": "subscription_id"})
    return row


async def cancellation_quote(db: Database, phone: str, subscription_id: int) -> Dict[str, Any]:
    """Everything the customer must be told before cancelling (消费提醒)."""
    balance = await get_balance(db, phone)
    today = clk.local_date(db.clock())
    async with db.read() as conn:
        row = await _require_subscription(conn, phone, subscription_id)
        subscription = await subscription_json(conn, row, today)
    if row.status != "active":
        raise Conflict(
            "this subscription is already cancelled",
            details={"cancel_effective": subscription["cancel_effective"]},
        )
    if row.one_off:
        raise Conflict(
            "a one-off pack lapses by itself at the end of its month",
            details={"reason": "one_off", "valid_until": subscription["valid_until"]},
        )
    return _quote(subscription, balance["data_mb"]["left"], today)


def _quote(subscription: Dict[str, Any], data_left_mb: int, today: dt.date) -> Dict[str, Any]:
    return {
        "subscription": subscription,
        "effective_date": clk.first_of_next_month(today).isoformat(),
        "early_termination_fee_fen": subscription["early_termination_fee_fen"],
        "remaining_data_lost_mb": min(subscription["data_mb"], data_left_mb),
        "family_members_affected": subscription["family_members"],
    }


def consent_subject(quote: Dict[str, Any]) -> Dict[str, Any]:
    """The terms a cancellation consent must cover, exactly (消费提醒): which package, from when, the
    fee, the remaining data lost and the family-share members who lose the shared allowance."""
    return {
        "subscription_id": quote["subscription"]["id"],
        "package_name": quote["subscription"]["name"],
        "early_termination_fee_fen": quote["early_termination_fee_fen"],
        "effective_date": quote["effective_date"],
        "remaining_data_lost_mb": quote["remaining_data_lost_mb"],
        "family_members_affected": list(quote["family_members_affected"]),
    }


async def cancel(db: Database, phone: str, subscription_id: int, consent_id: int) -> Dict[str, Any]:
    """Cancel from next month on, charging any early-termination fee now; idempotent per consent."""
    balance = await get_balance(db, phone)
    now = db.clock()
    today = clk.local_date(now)
    async with db.write() as conn:
        row = await _require_subscription(conn, phone, subscription_id, for_update=True)
        subscription = await subscription_json(conn, row, today)
        if row.status != "active":
            if row.cancel_consent_id == consent_id:
                return {"status": row.status, "cancel_effective": subscription["cancel_effective"], "replayed": True}
            raise Conflict(
                "this subscription is already cancelled",
                details={"cancel_effective": subscription["cancel_effective"]},
            )
        quote = _quote(subscription, balance["data_mb"]["left"], today)
        await require_confirmed(conn, consent_id, phone=phone, action="cancel_package", subject=consent_subject(quote))
        await conn.execute(
            update(subscriptions)
            .where(subscriptions.c.id == subscription_id)
            .values(
                status="cancel_pending",
                cancel_effective=dt.date.fromisoformat(quote["effective_date"]),
                cancel_consent_id=consent_id,
            )
        )
        fee = quote["early_termination_fee_fen"]
        if fee:
            await charge(
                conn, phone, now, f"{row.name}提前解约违约金", fee, category="penalty", subscription_id=subscription_id
            )
    return {
        "status": "cancel_pending",
        "cancel_effective": quote["effective_date"],
        "early_termination_fee_fen": fee,
        "replayed": False,
    }


async def charge(
    conn: AsyncConnection,
    phone: str,
    now: dt.datetime,
    description: str,
    fee: int,
    *,
    category: str,
    subscription_id: Optional[int] = None,
) -> None:
    """Debit the prepaid balance and itemise the charge on this month's 话费 bill."""
    cycle = clk.cycle_of(clk.local_date(now))
    await conn.execute(update(lines).where(lines.c.phone == phone).values(balance_fen=lines.c.balance_fen - fee))
    bill: Optional[Any] = (
        await conn.execute(
            select(bills.c.id).where(
                (bills.c.phone == phone) & (bills.c.bill_type == "话费") & (bills.c.month == cycle)
            )
        )
    ).first()
    if bill is None:
        result = await conn.execute(
            bills.insert().values(
                phone=phone, bill_type="话费", month=cycle, account=None, amount_fen=0, paid_fen=0, status="paid"
            )
        )
        bill_id = result.inserted_primary_key[0]
    else:
        bill_id = bill.id
    await conn.execute(
        bill_items.insert().values(
            bill_id=bill_id,
            description=description,
            amount_fen=fee,
            category=category,
            subscription_id=subscription_id,
            charged_at=clk.to_db(now),
        )
    )
    await conn.execute(
        update(bills)
        .where(bills.c.id == bill_id)
        .values(amount_fen=bills.c.amount_fen + fee, paid_fen=bills.c.paid_fen + fee)
    )
