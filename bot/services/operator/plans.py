"""Changing a line's main plan: the fitting plans with advice from the line's usage, the terms of a
change (消费提醒), and the consented change from the first of next month, once per consent."""

import datetime as dt
from typing import Any, Dict, List

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import Conflict
from bot.services.operator.accounts import in_force, require_line
from bot.services.operator.consents import confirmed_subject, require_confirmed
from bot.services.operator.errors import UnknownPackage
from bot.services.operator.packages import package_json, subscription_json, subscription_rows
from bot.services.operator.plan_advice import advise, plan_change_terms, refusal
from bot.services.operator.tables import family_shares, packages, subscriptions
from bot.services.operator.usage import month_usage


async def _line_plans(conn: AsyncConnection, db: Database, phone: str) -> Dict[str, Any]:
    """The main plan in force, any change already scheduled, and the data of the line's other
    subscriptions in force (packs), which stay whatever the plan."""
    today = clk.local_date(db.clock())
    rows = await subscription_rows(conn, phone)
    in_force_ids = set(
        (await conn.execute(select(subscriptions.c.id).where((subscriptions.c.phone == phone) & in_force(today))))
        .scalars()
        .all()
    )
    current = [row for row in rows if row.kind == "main" and row.id in in_force_ids]
    if not current:
        raise Conflict("this line has no main plan in force", details={"reason": "no_main_plan"})
    scheduled = [row for row in rows if row.kind == "main" and row.status == "scheduled" and row.id not in in_force_ids]
    extra = sum(row.data_mb for row in rows if row.kind != "main" and row.id in in_force_ids)
    return {
        "current": await subscription_json(conn, current[0], today),
        "scheduled": await subscription_json(conn, scheduled[0], today) if scheduled else None,
        "extra_data_mb": extra,
    }


async def _main_plans(conn: AsyncConnection) -> List[Dict[str, Any]]:
    rows = (await conn.execute(select(packages).where(packages.c.kind == "main").order_by(packages.c.code))).all()
    return [package_json(row) for row in rows]


async def plan_options(db: Database, phone: str, want: str = "any") -> Dict[str, Any]:
    history = await month_usage(db, phone)
    async with db.read() as conn:
        line = await _line_plans(conn, db, phone)
        plans = await _main_plans(conn)
    advice = advise(line["current"], plans, line["extra_data_mb"], history, clk.local_date(db.clock()), want)
    return {**advice, "scheduled": line["scheduled"]}


async def _plan(conn: AsyncConnection, code: str) -> Dict[str, Any]:
    row = (await conn.execute(select(packages).where(packages.c.code == code))).first()
    if row is None or row.kind != "main":
        raise UnknownPackage("unknown plan", details={"field": "plan_code"})
    return package_json(row)


def _terms(line: Dict[str, Any], plan: Dict[str, Any], db: Database) -> Dict[str, Any]:
    today = clk.local_date(db.clock())
    if line["scheduled"] is not None:
        raise Conflict(
            "a plan change is already scheduled",
            details={
                "reason": "change_scheduled",
                "plan_name": line["scheduled"]["name"],
                "effective_date": line["scheduled"]["started_on"],
            },
        )
    refused = refusal(line["current"], plan, today)
    if refused is not None:
        raise Conflict("this plan change is not allowed", details=refused)
    return plan_change_terms(line["current"], plan, clk.first_of_next_month(today))


async def change_quote(db: Database, phone: str, plan_code: str) -> Dict[str, Any]:
    """The terms of changing to `plan_code` (the consent subject), or a 409 saying why it cannot be."""
    async with db.read() as conn:
        await require_line(conn, phone)
        line = await _line_plans(conn, db, phone)
        plan = await _plan(conn, plan_code)
    return _terms(line, plan, db)


async def change_plan(db: Database, phone: str, plan_code: str, consent_id: int) -> Dict[str, Any]:
    """Schedule the change under a consent to exactly its terms: the new plan starts on the first of
    next month and the old one ends the day before. The same consent again changes nothing more."""
    try:
        async with db.write() as conn:
            await require_line(conn, phone)
            replay = await _ordered_under(conn, phone, consent_id)
            if replay is not None:
                return replay
            line = await _line_plans(conn, db, phone)
            plan = await _plan(conn, plan_code)
            terms = _terms(line, plan, db)
            await require_confirmed(conn, consent_id, phone=phone, action="change_plan", subject=terms)
            new_id = await _schedule(conn, db, phone, line["current"], terms, consent_id)
    except (IntegrityError, Conflict):
        # The same consent, applied meanwhile by another request (PostgreSQL): that request's change
        # is seen here as a change already scheduled, or as the consent's unique order. Its answer.
        async with db.read() as conn:
            replay = await _ordered_under(conn, phone, consent_id)
        if replay is None:
            raise
        return replay
    return {**terms, "subscription_id": new_id, "status": "scheduled", "replayed": False}


async def _schedule(
    conn: AsyncConnection, db: Database, phone: str, current: Dict[str, Any], terms: Dict[str, Any], consent_id: int
) -> int:
    effective = clk.first_of_next_month(clk.local_date(db.clock()))
    result = await conn.execute(
        subscriptions.insert().values(
            phone=phone,
            package_code=terms["plan_code"],
            started_on=effective,
            contract_end=dt.date.fromisoformat(terms["contract_end"]) if terms["contract_end"] else None,
            early_termination_fee_fen=0,
            broadband_account=None,
            status="scheduled",
            ordered_at=clk.to_db(db.clock()),
            order_channel="智能客服",
            order_confirmation=None,
            order_consent_id=consent_id,
        )
    )
    new_id = result.inserted_primary_key[0]
    await conn.execute(
        update(subscriptions)
        .where(subscriptions.c.id == current["id"])
        .values(status="cancel_pending", cancel_effective=effective)
    )
    kept = [m for m in current["family_members"] if m not in terms["family_members_lost"]]
    if kept:
        await conn.execute(family_shares.insert(), [{"subscription_id": new_id, "member_phone": m} for m in kept])
    return new_id


async def _ordered_under(conn: AsyncConnection, phone: str, consent_id: int) -> Any:
    """The plan change a consent already ordered, as its answer, or None."""
    row = (await conn.execute(select(subscriptions.c.id).where(subscriptions.c.order_consent_id == consent_id))).first()
    if row is None:
        return None
    terms = await confirmed_subject(conn, consent_id, phone=phone, action="change_plan")
    return {**terms, "subscription_id": row.id, "status": "scheduled", "replayed": True}
