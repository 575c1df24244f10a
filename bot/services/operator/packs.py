"""Adding a pack (data, directional, voice) to a line: its terms (消费提醒), then the consented order,
which works at once and charges the prepaid balance once per consent."""

import datetime as dt
from typing import Any, Dict, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import Conflict
from bot.services.operator.accounts import in_force, require_line
from bot.services.operator.consents import confirmed_subject, require_confirmed
from bot.services.operator.errors import UnknownPackage
from bot.services.operator.packages import charge, package_json
from bot.services.operator.tables import packages, subscriptions

ORDERABLE_PACKS = ("data", "directional", "voice")
BALANCE_FIGURES = ("balance_fen", "balance_after_fen", "enough_balance")


def pack_terms(pack: Dict[str, Any], today: dt.date, balance_fen: int) -> Dict[str, Any]:
    """What the customer must be told before a pack is added (pure): the price charged now from the
    balance, from when (today, at once), until when (a one-off pack: the end of this month; a
    monthly one renews each month until cancelled), and what it gives."""
    return {
        "package_code": pack["code"],
        "package_name": pack["name"],
        "pack_type": pack["pack_type"],
        "price_fen": pack["monthly_fee_fen"],
        "effective_date": today.isoformat(),
        "one_off": pack["one_off"],
        "valid_until": clk.last_day(clk.cycle_of(today)).isoformat() if pack["one_off"] else None,
        "renews_monthly": not pack["one_off"],
        "data_mb": pack["data_mb"],
        "voice_min": pack["voice_min"],
        "balance_fen": balance_fen,
        "balance_after_fen": balance_fen - pack["monthly_fee_fen"],
    }


def consent_subject(terms: Dict[str, Any]) -> Dict[str, Any]:
    """The terms a pack consent covers: the balance figures are shown but are not terms."""
    return {key: value for key, value in terms.items() if key not in BALANCE_FIGURES}


async def _pack(conn: AsyncConnection, code: str) -> Dict[str, Any]:
    row = (await conn.execute(select(packages).where(packages.c.code == code))).first()
    if row is None or row.kind != "addon" or row.pack_type not in ORDERABLE_PACKS:
        raise UnknownPackage("unknown pack", details={"field": "package_code"})
    pack = package_json(row)
    if not pack["open_to_new"]:
        raise Conflict("this pack is no longer offered", details={"reason": "pack_closed"})
    return pack


async def _terms(conn: AsyncConnection, db: Database, phone: str, code: str) -> Dict[str, Any]:
    today = clk.local_date(db.clock())
    line = await require_line(conn, phone)
    pack = await _pack(conn, code)
    if not pack["one_off"]:
        held = (
            await conn.execute(
                select(subscriptions.c.id).where(
                    (subscriptions.c.phone == phone) & (subscriptions.c.package_code == code) & in_force(today)
                )
            )
        ).first()
        if held is not None:
            raise Conflict("this line already has this monthly pack", details={"reason": "already_subscribed"})
    return pack_terms(pack, today, line.balance_fen)


async def pack_quote(db: Database, phone: str, code: str) -> Dict[str, Any]:
    async with db.read() as conn:
        terms = await _terms(conn, db, phone, code)
    return {**terms, "enough_balance": terms["balance_after_fen"] >= 0}


async def add_pack(db: Database, phone: str, code: str, consent_id: int) -> Dict[str, Any]:
    """Order the pack under a consent to exactly its terms: it works at once and its price is charged
    from the balance now. The same consent again (a retried confirmation) charges nothing more."""
    try:
        async with db.write() as conn:
            replay = await _ordered_under(conn, phone, consent_id)
            if replay is not None:
                return replay
            terms = await _terms(conn, db, phone, code)
            await require_confirmed(conn, consent_id, phone=phone, action="add_pack", subject=consent_subject(terms))
            if terms["balance_after_fen"] < 0:
                raise Conflict(
                    "the balance does not cover the pack",
                    details={
                        "reason": "insufficient_balance",
                        "balance_fen": terms["balance_fen"],
                        "price_fen": terms["price_fen"],
                    },
                )
            now = db.clock()
            result = await conn.execute(
                subscriptions.insert().values(
                    phone=phone,
                    package_code=code,
                    started_on=clk.local_date(now),
                    contract_end=None,
                    early_termination_fee_fen=0,
                    broadband_account=None,
                    status="active",
                    ordered_at=clk.to_db(now),
                    order_channel="智能客服",
                    order_confirmation=None,
                    order_consent_id=consent_id,
                    valid_until=dt.date.fromisoformat(terms["valid_until"]) if terms["valid_until"] else None,
                )
            )
            subscription_id = result.inserted_primary_key[0]
            await charge(
                conn,
                phone,
                now,
                f"{terms['package_name']}",
                terms["price_fen"],
                category="pack",
                subscription_id=subscription_id,
            )
    except (IntegrityError, Conflict):
        # The same consent, applied meanwhile by another request (PostgreSQL): its monthly pack is
        # seen here as one the line already has, or as the consent's unique order. Its answer.
        async with db.read() as conn:
            replay = await _ordered_under(conn, phone, consent_id)
        if replay is None:
            raise
        return replay
    return {**terms, "subscription_id": subscription_id, "replayed": False}


async def _ordered_under(conn: AsyncConnection, phone: str, consent_id: int) -> Optional[Dict[str, Any]]:
    row = (await conn.execute(select(subscriptions.c.id).where(subscriptions.c.order_consent_id == consent_id))).first()
    if row is None:
        return None
    terms = await confirmed_subject(conn, consent_id, phone=phone, action="add_pack")
    return {**terms, "subscription_id": row.id, "replayed": True}
