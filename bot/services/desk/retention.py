"""Personal data in the handoff service's database: the retention purge and one customer's export
and erasure (PIPL Art. 19 and 47). Called over HTTP (service API, Bearer token) by the retention
job (bot/services/retention/job.py) and by `python -m bot privacy`.

- purge: cases with no activity since the cut-off (created, ended, last message) are deleted with
  their transcripts, so are outbox messages and settled pending tickets older than it, and expired
  agent sessions. Each statement deletes by condition: a second run, or a run on another host at
  the same time, finds nothing more to delete.
- erase: the customer's cases (found by the conversations' sender ids: the transcripts and the
  context hold masked numbers only) keep their reason, priority, times and agent for the statistics
  but lose the transcript, context, note, masked number and sender id; open ones are closed. Their
  outbox messages and pending tickets (found by number too) are deleted.
"""

import datetime as dt
import json
from typing import Any, Dict, Sequence, Tuple

from aiohttp import web
from sqlalchemy import and_, delete, exists, or_, select, text, update

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import InvalidInput
from bot.services.desk import cases as case_queue
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.tables import agent_sessions, case_messages, case_notes, cases, outbox, pending_tickets

ERASED_SENDER = "erased"
PURGE_LOCK = 0x7E1E_0001  # PostgreSQL advisory lock of the purge
MAX_SENDERS = 1000


async def purge(db: Database, before: dt.datetime) -> Dict[str, int]:
    """Delete what was last touched before `before` (aware); returns the counts deleted."""
    cutoff = clk.to_db(before)
    recent_message = exists().where(and_(case_messages.c.case_id == cases.c.id, case_messages.c.at >= cutoff))
    stale = and_(
        cases.c.created_at < cutoff, or_(cases.c.ended_at.is_(None), cases.c.ended_at < cutoff), ~recent_message
    )
    async with db.write() as conn:
        if not db.is_sqlite:  # runs on several hosts: one at a time, so no two delete the same rows at once
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK})
        ids = (await conn.execute(select(cases.c.id).where(stale))).scalars().all()
        messages = cases_deleted = 0
        if ids:
            messages = (await conn.execute(delete(case_messages).where(case_messages.c.case_id.in_(ids)))).rowcount
            await conn.execute(delete(case_notes).where(case_notes.c.case_id.in_(ids)))  # agents' notes go too
            cases_deleted = (await conn.execute(delete(cases).where(and_(cases.c.id.in_(ids), stale)))).rowcount
        sent = (await conn.execute(delete(outbox).where(outbox.c.at < cutoff))).rowcount
        settled = or_(pending_tickets.c.notified_at.is_not(None), pending_tickets.c.failed.is_not(None))
        tickets = await conn.execute(delete(pending_tickets).where(and_(pending_tickets.c.at < cutoff, settled)))
        sessions = await conn.execute(delete(agent_sessions).where(agent_sessions.c.expires_at < clk.to_db(db.clock())))
    return {
        "cases": cases_deleted,
        "case_messages": messages,
        "outbox": sent,
        "pending_tickets": tickets.rowcount,
        "agent_sessions": sessions.rowcount,
    }


def _pending_of(phone: str, sender_ids: Sequence[str]) -> Any:
    # The ticket JSON is written by json.dumps: the number appears as "phone": "<digits>".
    return or_(
        pending_tickets.c.sender_id.in_(list(sender_ids)), pending_tickets.c.ticket.like(f'%"phone": "{phone}"%')
    )


def _cases_of(phone: str, sender_ids: Sequence[str]) -> Any:
    """The customer's cases: of their conversations, and any handed over with their verified number."""
    return or_(cases.c.sender_id.in_(list(sender_ids)), cases.c.verified_phone == phone)


async def export(db: Database, phone: str, sender_ids: Sequence[str]) -> Dict[str, Any]:
    async with db.read() as conn:
        ids = (
            (await conn.execute(select(cases.c.id).where(_cases_of(phone, sender_ids)).order_by(cases.c.id)))
            .scalars()
            .all()
        )
        pending = (
            await conn.execute(
                select(pending_tickets).where(_pending_of(phone, sender_ids)).order_by(pending_tickets.c.id)
            )
        ).all()
        waiting = (
            await conn.execute(select(outbox).where(outbox.c.sender_id.in_(list(sender_ids))).order_by(outbox.c.id))
        ).all()
    found = []
    for case_id in ids:
        found.append(
            {
                **await case_queue.summary(db, case_id),
                "note": await _note(db, case_id),
                "context": await case_queue.context(db, case_id),
                "transcript": await case_queue.transcript(db, case_id),
                "notes": await case_queue.notes(db, case_id),
            }
        )
    return {
        "cases": found,
        "pending_tickets": [
            {
                "id": row.id,
                "sender_id": row.sender_id,
                "channel": row.channel,
                "ticket": json.loads(row.ticket),
                "at": clk.iso(clk.from_db(row.at)),
                "ticket_id": row.ticket_id,
            }
            for row in pending
        ],
        "outbox": [
            {"sender_id": row.sender_id, "message": json.loads(row.message), "at": clk.iso(clk.from_db(row.at))}
            for row in waiting
        ],
    }


async def _note(db: Database, case_id: int) -> Any:
    async with db.read() as conn:
        return (await conn.execute(select(cases.c.note).where(cases.c.id == case_id))).scalar_one()


async def erase(db: Database, phone: str, sender_ids: Sequence[str]) -> Dict[str, Any]:
    now = clk.to_db(db.clock())
    senders = list(sender_ids)
    async with db.write() as conn:
        ids = (
            (await conn.execute(select(cases.c.id).where(_cases_of(phone, senders)).order_by(cases.c.id)))
            .scalars()
            .all()
        )
        messages = 0
        if ids:
            messages = (await conn.execute(delete(case_messages).where(case_messages.c.case_id.in_(ids)))).rowcount
            await conn.execute(delete(case_notes).where(case_notes.c.case_id.in_(ids)))  # may name the customer
            await conn.execute(
                update(cases)
                .where(and_(cases.c.id.in_(ids), cases.c.status.in_(case_queue.OPEN)))
                .values(status="closed", ended_at=now)
            )
            # No hand-back is sent for them: the conversation itself is deleted.
            await conn.execute(
                update(cases).where(and_(cases.c.id.in_(ids), cases.c.resumed_at.is_(None))).values(resumed_at=now)
            )
            await conn.execute(
                update(cases)
                .where(cases.c.id.in_(ids))
                .values(sender_id=ERASED_SENDER, masked_phone=None, verified_phone=None, context="{}", note=None)
            )
        waiting = (await conn.execute(delete(outbox).where(outbox.c.sender_id.in_(senders)))).rowcount
        pending = (await conn.execute(delete(pending_tickets).where(_pending_of(phone, senders)))).rowcount
    return {
        "anonymised": {"cases": list(ids)},
        "deleted": {"case_messages": messages, "outbox": waiting, "pending_tickets": pending},
    }


# -- service API --------------------------------------------------------------------------------

retention_routes = web.RouteTableDef()


async def _json_object(request: web.Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise InvalidInput("the body must be JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return body


def _subject(body: Dict[str, Any]) -> Tuple[str, list]:
    phone = body.get("phone")
    if not (isinstance(phone, str) and len(phone) == 11 and phone.isascii() and phone.isdigit()):
        raise InvalidInput("phone must be 11 digits", details={"field": "phone"})
    senders = body.get("sender_ids")
    if (
        not isinstance(senders, list)
        or len(senders) > MAX_SENDERS
        or any(not isinstance(s, str) or not 0 < len(s) <= 128 for s in senders)
    ):
        raise InvalidInput(
            f"sender_ids must be a list of at most {MAX_SENDERS} ids of 1-128 characters",
            details={"field": "sender_ids"},
        )
    return phone, senders


@retention_routes.post("/v1/retention/purge")
async def purge_route(request: web.Request) -> web.Response:
    body = await _json_object(request)
    try:
        before = dt.datetime.fromisoformat(str(body.get("before")))
    except ValueError:
        raise InvalidInput("before must be an ISO 8601 time with its offset", details={"field": "before"}) from None
    if before.tzinfo is None:
        raise InvalidInput("before must be an ISO 8601 time with its offset", details={"field": "before"})
    return web.json_response({"deleted": await purge(request.app[SERVICE_KEY].db, before)})


@retention_routes.post("/v1/privacy/export")
async def export_route(request: web.Request) -> web.Response:
    phone, senders = _subject(await _json_object(request))
    return web.json_response(await export(request.app[SERVICE_KEY].db, phone, senders))


@retention_routes.post("/v1/privacy/erase")
async def erase_route(request: web.Request) -> web.Response:
    phone, senders = _subject(await _json_object(request))
    service = request.app[SERVICE_KEY]
    result = await erase(service.db, phone, senders)
    await service.refresh()  # agents' queues drop the closed cases
    return web.json_response(result)
