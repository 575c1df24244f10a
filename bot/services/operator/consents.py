"""Audit log of customer consents (消费提醒): what was shown, what was confirmed, when."""

import json
from typing import Any, Dict, List, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import Conflict, NotFound
from bot.services.operator.accounts import require_line
from bot.services.operator.tables import consents


async def record(
    db: Database,
    *,
    phone: str,
    action: str,
    subject: Mapping[str, Any],
    shown_text: str,
    confirmed: bool,
    channel: str,
    sender_id: str,
) -> Dict[str, Any]:
    async with db.write() as conn:
        await require_line(conn, phone)
        result = await conn.execute(
            consents.insert().values(
                phone=phone,
                action=action,
                subject=json.dumps(dict(subject), ensure_ascii=False, sort_keys=True),
                shown_text=shown_text,
                confirmed=confirmed,
                channel=channel,
                sender_id=sender_id,
                created_at=clk.to_db(db.clock()),
            )
        )
        consent_id = result.inserted_primary_key[0]
        row = (await conn.execute(select(consents).where(consents.c.id == consent_id))).one()
    return consent_json(row)


async def list_for(db: Database, phone: str) -> List[Dict[str, Any]]:
    async with db.read() as conn:
        await require_line(conn, phone)
        rows = (await conn.execute(select(consents).where(consents.c.phone == phone).order_by(consents.c.id))).all()
    return [consent_json(row) for row in rows]


async def confirmed_subject(conn: AsyncConnection, consent_id: int, *, phone: str, action: str) -> Dict[str, Any]:
    """The subject of a confirmed consent of this line to this operation; refuses any other."""
    row = (await conn.execute(select(consents).where(consents.c.id == consent_id))).first()
    if row is None:
        raise NotFound("unknown consent", details={"field": "consent_id"})
    if row.phone != phone or row.action != action:
        raise Conflict(
            "the consent is for another number or operation",
            details={"field": "consent_id", "reason": "consent_other_operation"},
        )
    if not row.confirmed:
        raise Conflict("the consent was not confirmed", details={"field": "consent_id", "reason": "consent_declined"})
    subject: Dict[str, Any] = json.loads(row.subject)
    return subject


async def require_confirmed(
    conn: AsyncConnection, consent_id: int, *, phone: str, action: str, subject: Mapping[str, Any]
) -> None:
    """Refuse an operation that is not covered by a confirmed consent for exactly these terms: the
    recorded subject must equal `subject` (no term missing, none different, none extra)."""
    recorded = await confirmed_subject(conn, consent_id, phone=phone, action=action)
    if recorded != json.loads(json.dumps(dict(subject))):
        raise Conflict(
            "the consent does not cover these terms", details={"field": "consent_id", "reason": "consent_terms_differ"}
        )


def consent_json(row: Any) -> Dict[str, Any]:
    return {
        "id": row.id,
        "phone": row.phone,
        "action": row.action,
        "subject": json.loads(row.subject),
        "shown_text": row.shown_text,
        "confirmed": row.confirmed,
        "channel": row.channel,
        "sender_id": row.sender_id,
        "created_at": clk.iso(clk.from_db(row.created_at)),
    }
