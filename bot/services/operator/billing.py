"""Monthly bills and idempotent payments.

话费 is prepaid: a payment tops up the balance, and once the balance is no longer negative every
unpaid 话费 bill is settled. 宽带 payments settle unpaid broadband bills, oldest first, and may not
exceed what is owed.
"""

import hashlib
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import Conflict, InvalidInput
from bot.services.operator.accounts import require_line
from bot.services.operator.consents import require_confirmed
from bot.services.operator.errors import IdempotencyConflict
from bot.services.operator.tables import bill_items, bills, lines, payments


async def list_bills(
    db: Database, phone: str, *, bill_type: Optional[str] = None, month: Optional[str] = None
) -> List[Dict[str, Any]]:
    async with db.read() as conn:
        await require_line(conn, phone)
        query = select(bills).where(bills.c.phone == phone).order_by(bills.c.month.desc(), bills.c.bill_type)
        if bill_type:
            query = query.where(bills.c.bill_type == bill_type)
        if month:
            query = query.where(bills.c.month == month)
        rows = (await conn.execute(query)).all()
        items = (
            await conn.execute(
                select(bill_items).where(bill_items.c.bill_id.in_([row.id for row in rows])).order_by(bill_items.c.id)
            )
        ).all()
    by_bill: Dict[int, List[Dict[str, Any]]] = {}
    for item in items:
        by_bill.setdefault(item.bill_id, []).append(
            {"description": item.description, "amount_fen": item.amount_fen, "category": item.category}
        )
    return [
        {
            "id": row.id,
            "bill_type": row.bill_type,
            "month": row.month,
            "account": row.account,
            "amount_fen": row.amount_fen,
            "paid_fen": row.paid_fen,
            "outstanding_fen": row.amount_fen - row.paid_fen,
            "status": row.status,
            "items": by_bill.get(row.id, []),
        }
        for row in rows
    ]


def fingerprint(phone: str, bill_type: str, amount_fen: int, method: str) -> str:
    return hashlib.sha256(f"{phone}|{bill_type}|{amount_fen}|{method}".encode()).hexdigest()


async def pay(
    db: Database,
    *,
    idempotency_key: str,
    phone: str,
    bill_type: str,
    amount_fen: int,
    method: str,
    consent_id: int,
) -> Tuple[Dict[str, Any], bool]:
    """Charge once per idempotency key, only under a consent to exactly this payment. Returns
    (payment, created).

    A replay with the same parameters returns the stored payment (created=False); the same key with
    other parameters raises IdempotencyConflict. The key is claimed by a unique constraint in the same
    transaction as the charge, so concurrent requests with one key charge exactly once. A new charge
    needs a confirmed consent whose recorded subject is exactly this phone, bill type, amount and
    method, not used by any other payment (ConsentMismatch, 409, otherwise).
    """
    wanted = fingerprint(phone, bill_type, amount_fen, method)
    try:
        async with db.write() as conn:
            existing = await _payment_by_key(conn, idempotency_key)
            if existing is not None:
                return _replay(existing, wanted), False
            await require_line(conn, phone)
            await require_confirmed(
                conn,
                consent_id,
                phone=phone,
                action="payment",
                subject={"phone": phone, "bill_type": bill_type, "amount_fen": amount_fen, "method": method},
            )
            used = (await conn.execute(select(payments).where(payments.c.consent_id == consent_id))).first()
            if used is not None and used.idempotency_key == idempotency_key:
                return _replay(used, wanted), False  # this very key committed since the first look
            if used is not None:
                raise Conflict(
                    "this consent was already used for another payment",
                    details={"field": "consent_id", "reason": "consent_used"},
                )
            result = await conn.execute(
                payments.insert().values(
                    idempotency_key=idempotency_key,
                    fingerprint=wanted,
                    phone=phone,
                    bill_type=bill_type,
                    amount_fen=amount_fen,
                    method=method,
                    consent_id=consent_id,
                    status="succeeded",
                    created_at=clk.to_db(db.clock()),
                )
            )
            payment_id = result.inserted_primary_key[0]
            if bill_type == "话费":
                balance_after = await _top_up(conn, phone, amount_fen)
                outstanding_after = None
            else:
                outstanding_after = await _settle_broadband(conn, phone, amount_fen)
                balance_after = None
            await conn.execute(
                update(payments)
                .where(payments.c.id == payment_id)
                .values(balance_after_fen=balance_after, outstanding_after_fen=outstanding_after)
            )
            row = (await conn.execute(select(payments).where(payments.c.id == payment_id))).one()
            return payment_json(row), True
    except IntegrityError:
        # Another transaction claimed this key first (PostgreSQL waits for it to commit).
        async with db.read() as conn:
            existing = await _payment_by_key(conn, idempotency_key)
        if existing is None:
            # Not this key: the consent's own unique constraint (another key, the same consent).
            raise Conflict(
                "this consent was already used for another payment",
                details={"field": "consent_id", "reason": "consent_used"},
            ) from None
        return _replay(existing, wanted), False


async def get_payment(db: Database, idempotency_key: str) -> Optional[Dict[str, Any]]:
    async with db.read() as conn:
        row = await _payment_by_key(conn, idempotency_key)
    return payment_json(row) if row else None


async def _payment_by_key(conn: AsyncConnection, key: str) -> Optional[Any]:
    return (await conn.execute(select(payments).where(payments.c.idempotency_key == key))).first()


def _replay(row: Any, wanted: str) -> Dict[str, Any]:
    if row.fingerprint != wanted:
        raise IdempotencyConflict(
            "this idempotency key was used for a different payment",
            details={"payment": payment_json(row)},
        )
    return payment_json(row)


async def _top_up(conn: AsyncConnection, phone: str, amount_fen: int) -> int:
    await conn.execute(update(lines).where(lines.c.phone == phone).values(balance_fen=lines.c.balance_fen + amount_fen))
    balance = (await conn.execute(select(lines.c.balance_fen).where(lines.c.phone == phone))).scalar_one()
    if balance >= 0:
        await conn.execute(
            update(bills)
            .where((bills.c.phone == phone) & (bills.c.bill_type == "话费") & (bills.c.status == "unpaid"))
            .values(paid_fen=bills.c.amount_fen, status="paid")
        )
        await conn.execute(
            update(lines).where((lines.c.phone == phone) & (lines.c.status == "suspended")).values(status="active")
        )
    return int(balance)


async def _settle_broadband(conn: AsyncConnection, phone: str, amount_fen: int) -> int:
    unpaid = (
        await conn.execute(
            select(bills)
            .where((bills.c.phone == phone) & (bills.c.bill_type == "宽带") & (bills.c.status == "unpaid"))
            .order_by(bills.c.month)
            .with_for_update()
        )
    ).all()
    owed = sum(row.amount_fen - row.paid_fen for row in unpaid)
    if amount_fen > owed:
        raise InvalidInput(
            "amount exceeds the unpaid broadband bills",
            details={"field": "amount_fen", "outstanding_fen": owed},
        )
    left = amount_fen
    for row in unpaid:
        applied = min(left, row.amount_fen - row.paid_fen)
        left -= applied
        paid = row.paid_fen + applied
        await conn.execute(
            update(bills)
            .where(bills.c.id == row.id)
            .values(paid_fen=paid, status="paid" if paid == row.amount_fen else "unpaid")
        )
        if not left:
            break
    return owed - amount_fen


async def outstanding(db: Database, phone: str, bill_type: str) -> int:
    async with db.read() as conn:
        await require_line(conn, phone)
        value = (
            await conn.execute(
                select(func.coalesce(func.sum(bills.c.amount_fen - bills.c.paid_fen), 0)).where(
                    (bills.c.phone == phone) & (bills.c.bill_type == bill_type) & (bills.c.status == "unpaid")
                )
            )
        ).scalar_one()
    return int(value)


def payment_json(row: Any) -> Dict[str, Any]:
    return {
        "id": row.id,
        "idempotency_key": row.idempotency_key,
        "phone": row.phone,
        "bill_type": row.bill_type,
        "amount_fen": row.amount_fen,
        "method": row.method,
        "consent_id": row.consent_id,
        "status": row.status,
        "balance_after_fen": row.balance_after_fen,
        "outstanding_after_fen": row.outstanding_after_fen,
        "created_at": clk.iso(clk.from_db(row.created_at)),
    }
