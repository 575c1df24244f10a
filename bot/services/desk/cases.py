"""The case queue: create, take (one agent wins), messages, hand back, close. Pure SQL, no I/O else."""

import datetime as dt
import json
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import and_, func, or_, select, update

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import Conflict, NotFound
from bot.services.desk.tables import agents, case_messages, case_notes, cases, outbox

OPEN = ("queued", "taken")
# abandoned: nobody took it within the queue timeout (the bot then offered a callback);
# callback: abandoned, and the customer then asked for a callback (a 回访 ticket).
ENDED = ("handed_back", "closed", "abandoned", "callback")
CONVERTIBLE_FOR = dt.timedelta(hours=1)  # an abandoned case becomes a callback when asked within this
REASONS = {
    "requested": ("客户要求转人工", 3),
    "low_confidence": ("机器人连续两次未能理解", 3),
    "identity_locked": ("服务密码多次错误，验证已锁定", 1),
    "complaint_escalated": ("投诉升级", 1),
    "backend_failure": ("业务系统故障，机器人无法办理", 2),
    "dispute_order_confirmed": ("客户否认订购，但系统有订购确认记录，需人工核实", 2),
}
ROLES = ("customer", "bot", "agent", "system")


class AlreadyTaken(Conflict):
    code = "already_taken"


class NotYours(Conflict):
    code = "not_your_case"


def _iso(moment: Any) -> Optional[str]:
    return clk.iso(clk.from_db(moment)) if moment is not None else None


def summary_json(row: Any, agent_name: Optional[str] = None, last_message: Optional[str] = None) -> Dict[str, Any]:
    return {
        "id": row.id,
        "sender_id": row.sender_id,
        "channel": row.channel,
        "masked_phone": row.masked_phone,
        "verified": bool(row.verified),
        "reason": row.reason,
        "reason_text": REASONS[row.reason][0],
        "priority": row.priority,
        "status": row.status,
        "created_at": _iso(row.created_at),
        "taken_at": _iso(row.taken_at),
        "ended_at": _iso(row.ended_at),
        "note": row.note,
        "agent_id": row.agent_id,
        "agent_name": agent_name,
        "last_message": last_message,
        # The SLA timers: the customer's latest message, and the agent's (or the bot's) latest answer.
        "last_customer_at": _iso(row.last_customer_at),
        "last_answer_at": _iso(row.last_answer_at),
    }


def message_json(row: Any, agent_name: Optional[str] = None) -> Dict[str, Any]:
    return {
        "id": row.id,
        "case_id": row.case_id,
        "role": row.role,
        "text": row.text,
        "intent": row.intent,
        "confidence": float(row.confidence) if row.confidence else None,
        "at": _iso(row.at),
        "agent_name": agent_name,
    }


async def _summaries(
    db: Database, where: Any, order: Any = (cases.c.priority, cases.c.id), limit: Optional[int] = None
) -> List[Dict[str, Any]]:
    last = (
        select(case_messages.c.text)
        .where(case_messages.c.case_id == cases.c.id)
        .order_by(case_messages.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )

    def latest(*roles: str) -> Any:
        return (
            select(func.max(case_messages.c.at))
            .where(and_(case_messages.c.case_id == cases.c.id, case_messages.c.role.in_(roles)))
            .scalar_subquery()
        )

    query = (
        select(
            cases,
            agents.c.name.label("agent_name"),
            last.label("last_message"),
            latest("customer").label("last_customer_at"),
            latest("agent", "bot").label("last_answer_at"),
        )
        .select_from(cases.outerjoin(agents, cases.c.agent_id == agents.c.id))
        .where(where)
        .order_by(*order)
        .limit(limit)
    )
    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
    return [summary_json(row, row.agent_name, row.last_message) for row in rows]


async def queued(db: Database) -> List[Dict[str, Any]]:
    return await _summaries(db, cases.c.status == "queued")


async def taken_by(db: Database, agent_id: int) -> List[Dict[str, Any]]:
    return await _summaries(db, and_(cases.c.status == "taken", cases.c.agent_id == agent_id))


async def ended_by(db: Database, agent_id: int, limit: int = 30) -> List[Dict[str, Any]]:
    """The agent's most recently ended cases (handed back or closed), latest first."""
    return await _summaries(
        db,
        and_(cases.c.status.in_(ENDED), cases.c.agent_id == agent_id),
        order=(cases.c.ended_at.desc(), cases.c.id.desc()),
        limit=limit,
    )


async def earlier_cases(db: Database, case: Dict[str, Any], limit: int = 10) -> List[Dict[str, Any]]:
    """The same customer's earlier cases: those of the same conversation (a WeChat follower, a widget
    browser) and, for a verified customer, those of the same verified number on any channel. Not by
    masked number: 138****8000 is ten thousand lines."""
    phone = await verified_phone(db, case["id"])
    same = cases.c.sender_id == case["sender_id"]
    if phone:
        same = or_(same, cases.c.verified_phone == phone)
    return await _summaries(db, and_(same, cases.c.id < case["id"]), order=(cases.c.id.desc(),), limit=limit)


async def loads(db: Database) -> Dict[int, int]:
    """{agent id: the cases they hold now}."""
    query = select(cases.c.agent_id, func.count()).where(cases.c.status == "taken").group_by(cases.c.agent_id)
    async with db.read() as conn:
        return {int(agent_id): int(count) for agent_id, count in (await conn.execute(query)).all()}


async def summary(db: Database, case_id: int) -> Dict[str, Any]:
    found = await _summaries(db, cases.c.id == case_id)
    if not found:
        raise NotFound("no such case", details={"field": "case_id"})
    return found[0]


async def open_case_for(db: Database, sender_id: str) -> Optional[Dict[str, Any]]:
    found = await _summaries(db, and_(cases.c.sender_id == sender_id, cases.c.status.in_(OPEN)))
    return found[-1] if found else None


async def position(db: Database, case: Dict[str, Any]) -> int:
    """1 for the next case an agent will take."""
    ahead = or_(
        cases.c.priority < case["priority"], and_(cases.c.priority == case["priority"], cases.c.id < case["id"])
    )
    async with db.read() as conn:
        count = (await conn.execute(select(func.count()).where(and_(cases.c.status == "queued", ahead)))).scalar_one()
    return int(count) + 1


async def create(
    db: Database,
    *,
    sender_id: str,
    channel: str,
    masked_phone: Optional[str],
    verified: bool,
    reason: str,
    context: Dict[str, Any],
    transcript: List[Dict[str, Any]],
    verified_phone: Optional[str] = None,
) -> Dict[str, Any]:
    """A new queued case with the bot's transcript; the open case if the customer already has one."""
    existing = await open_case_for(db, sender_id)
    if existing is not None:
        return existing
    now = clk.to_db(db.clock())
    async with db.write() as conn:
        result = await conn.execute(
            cases.insert().values(
                sender_id=sender_id,
                channel=channel,
                masked_phone=masked_phone,
                verified_phone=verified_phone if verified else None,
                verified=int(verified),
                reason=reason,
                priority=REASONS[reason][1],
                status="queued",
                context=json.dumps(context, ensure_ascii=False),
                created_at=now,
            )
        )
        case_id = result.inserted_primary_key[0]
        if transcript:
            await conn.execute(
                case_messages.insert(),
                [
                    {
                        "case_id": case_id,
                        "role": item["role"],
                        "text": item["text"],
                        "intent": item.get("intent"),
                        "confidence": _confidence(item.get("confidence")),
                        "at": said_at(item.get("at"), now),
                        "recorded_at": now,
                        "delivered_at": now,
                    }
                    for item in transcript
                ],
            )
    return await summary(db, case_id)


def said_at(text: Any, now: dt.datetime) -> dt.datetime:
    """When a message of the bot's transcript was said (naive UTC, as stored): the time the bot
    recorded, never later than the case itself; the case's time when it gave none that reads."""
    if not isinstance(text, str):
        return now
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return now
    if moment.tzinfo is None:
        return now
    return min(clk.to_db(moment), now)


def _confidence(value: Any) -> Optional[str]:
    return f"{float(value):.4f}" if isinstance(value, (int, float)) else None


async def take(db: Database, case_id: int, agent_id: int) -> Dict[str, Any]:
    """Only one agent can take a case: the conditional update succeeds for exactly one of them."""
    async with db.write() as conn:
        result = await conn.execute(
            update(cases)
            .where((cases.c.id == case_id) & (cases.c.status == "queued"))
            .values(status="taken", agent_id=agent_id, taken_at=clk.to_db(db.clock()))
        )
    if result.rowcount != 1:
        await summary(db, case_id)  # 404 when it does not exist at all
        raise AlreadyTaken("the case was taken by another agent or has ended")
    case = await summary(db, case_id)
    # Delivered to the customer like an agent's reply (客服 XX 已接入), and shown in the transcript.
    await add_message(db, case_id, "system", f"{case['agent_name']} 已接入会话", agent_id=agent_id)
    return case


REASSIGNED = "reassigned"  # the kind (`intent`) of the system message of a supervisor's reassignment


async def assign(db: Database, case_id: int, agent_id: int) -> Tuple[Dict[str, Any], Optional[int]]:
    """A supervisor gives an open case to `agent_id`: a queued one is taken for them, a taken one
    moves to them. Returns the case and the agent it was taken from (None when it was queued)."""
    case = await summary(db, case_id)
    if case["status"] not in OPEN:
        raise Conflict("the case has ended")
    if case["agent_id"] == agent_id:
        raise Conflict("the case is already theirs")
    before = case["agent_id"] if case["status"] == "taken" else None
    now = clk.to_db(db.clock())
    async with db.write() as conn:
        result = await conn.execute(
            update(cases)
            .where(and_(cases.c.id == case_id, cases.c.status == case["status"], _same_agent(before)))
            .values(status="taken", agent_id=agent_id, taken_at=cases.c.taken_at if before else now)
        )
    if result.rowcount != 1:
        raise Conflict("the case changed meanwhile: look again")
    case = await summary(db, case_id)
    text = f"{case['agent_name']} 已接入会话" if before is None else f"会话已由班长转给 {case['agent_name']}"
    await add_message(db, case_id, "system", text, agent_id=agent_id, intent=None if before is None else REASSIGNED)
    return case, before


def _same_agent(agent_id: Optional[int]) -> Any:
    return cases.c.agent_id.is_(None) if agent_id is None else cases.c.agent_id == agent_id


async def all_open(db: Database) -> List[Dict[str, Any]]:
    """Every open case, queued and taken, for the supervisors' view (most urgent, then oldest, first)."""
    return await _summaries(db, cases.c.status.in_(OPEN), order=(cases.c.priority, cases.c.created_at, cases.c.id))


def note_json(row: Any) -> Dict[str, Any]:
    return {
        "id": row.id,
        "case_id": row.case_id,
        "agent_id": row.agent_id,
        "agent_name": row.agent_name,
        "text": row.text,
        "at": _iso(row.at),
    }


def _notes_query() -> Any:
    return select(case_notes, agents.c.name.label("agent_name")).select_from(
        case_notes.join(agents, case_notes.c.agent_id == agents.c.id)
    )


async def notes(db: Database, case_id: int) -> List[Dict[str, Any]]:
    query = _notes_query().where(case_notes.c.case_id == case_id).order_by(case_notes.c.id)
    async with db.read() as conn:
        return [note_json(row) for row in (await conn.execute(query)).all()]


async def add_note(db: Database, case_id: int, agent_id: int, text: str) -> Dict[str, Any]:
    await summary(db, case_id)  # 404 for a case that does not exist
    async with db.write() as conn:
        result = await conn.execute(
            case_notes.insert().values(case_id=case_id, agent_id=agent_id, text=text, at=clk.to_db(db.clock()))
        )
        note_id = result.inserted_primary_key[0]
        row = (await conn.execute(_notes_query().where(case_notes.c.id == note_id))).one()
    return note_json(row)


async def _require_mine(db: Database, case_id: int, agent_id: int) -> Dict[str, Any]:
    case = await summary(db, case_id)
    if case["status"] != "taken" or case["agent_id"] != agent_id:
        raise NotYours("this case is not yours to handle")
    return case


async def add_message(
    db: Database,
    case_id: int,
    role: str,
    text: str,
    *,
    intent: Optional[str] = None,
    confidence: Optional[float] = None,
    agent_id: Optional[int] = None,
    delivered: bool = False,
) -> Dict[str, Any]:
    now = clk.to_db(db.clock())
    async with db.write() as conn:
        result = await conn.execute(
            case_messages.insert().values(
                case_id=case_id,
                role=role,
                text=text,
                intent=intent,
                confidence=_confidence(confidence),
                agent_id=agent_id,
                at=now,
                recorded_at=now if delivered else None,
                delivered_at=now if delivered else None,
            )
        )
        message_id = result.inserted_primary_key[0]
        row = (await conn.execute(select(case_messages).where(case_messages.c.id == message_id))).one()
        name = None
        if agent_id is not None:
            name = (await conn.execute(select(agents.c.name).where(agents.c.id == agent_id))).scalar_one()
    return message_json(row, name)


async def agent_reply(db: Database, case_id: int, agent_id: int, text: str) -> Dict[str, Any]:
    await _require_mine(db, case_id, agent_id)
    return await add_message(db, case_id, "agent", text, agent_id=agent_id)


async def end(db: Database, case_id: int, agent_id: int, status: str, note: Optional[str] = None) -> Dict[str, Any]:
    """Hand back (`handed_back`) or close (`closed`, with a note) a case the agent holds."""
    await _require_mine(db, case_id, agent_id)
    async with db.write() as conn:
        await conn.execute(
            update(cases).where(cases.c.id == case_id).values(status=status, note=note, ended_at=clk.to_db(db.clock()))
        )
    return await summary(db, case_id)


async def abandon_overdue(db: Database, waited_since: dt.datetime) -> List[Dict[str, Any]]:
    """Close as `abandoned` each case still queued since before `waited_since`. A case an agent
    takes at the same moment is either taken or abandoned, never both (each update checks `queued`)."""
    now = clk.to_db(db.clock())
    async with db.read() as conn:
        overdue = (
            await conn.execute(
                select(cases.c.id).where(and_(cases.c.status == "queued", cases.c.created_at < clk.to_db(waited_since)))
            )
        ).all()
    abandoned = []
    for (case_id,) in overdue:
        async with db.write() as conn:
            result = await conn.execute(
                update(cases)
                .where(and_(cases.c.id == case_id, cases.c.status == "queued"))
                .values(status="abandoned", ended_at=now, note="排队超时，无坐席接入")
            )
        if result.rowcount == 1:
            abandoned.append(await summary(db, case_id))
    return abandoned


async def convert_to_callback(db: Database, sender_id: str, ticket_id: Optional[str]) -> Optional[Dict[str, Any]]:
    """The customer whose case was abandoned asked for a callback: that case becomes a `callback`."""
    since = clk.to_db(db.clock() - CONVERTIBLE_FOR)
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(cases.c.id)
                .where(and_(cases.c.sender_id == sender_id, cases.c.status == "abandoned", cases.c.ended_at >= since))
                .order_by(cases.c.id.desc())
                .limit(1)
            )
        ).first()
    if row is None:
        return None
    note = f"排队超时，已转回电工单 {ticket_id}" if ticket_id else "排队超时，已登记回电（待业务系统恢复后建单）"
    async with db.write() as conn:
        await conn.execute(
            update(cases)
            .where(and_(cases.c.id == row.id, cases.c.status == "abandoned"))
            .values(status="callback", note=note)
        )
    return await summary(db, row.id)


async def verified_phone(db: Database, case_id: int) -> Optional[str]:
    """The case's verified number (agent assist's backend lookups), or None."""
    async with db.read() as conn:
        return (await conn.execute(select(cases.c.verified_phone).where(cases.c.id == case_id))).scalar_one_or_none()


async def transcript(db: Database, case_id: int) -> List[Dict[str, Any]]:
    query = (
        select(case_messages, agents.c.name.label("agent_name"))
        .select_from(case_messages.outerjoin(agents, case_messages.c.agent_id == agents.c.id))
        .where(case_messages.c.case_id == case_id)
        .order_by(case_messages.c.id)
    )
    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
    return [message_json(row, row.agent_name) for row in rows]


async def context(db: Database, case_id: int) -> Dict[str, Any]:
    async with db.read() as conn:
        text = (await conn.execute(select(cases.c.context).where(cases.c.id == case_id))).scalar_one()
    return json.loads(text)


async def unrecorded_agent_messages(db: Database) -> List[Dict[str, Any]]:
    """Agent replies, and notices that an agent took the case, that Rasa has not acknowledged yet,
    oldest first, with where they go."""
    query = (
        select(case_messages, cases.c.sender_id, cases.c.channel, agents.c.name.label("agent_name"))
        .select_from(case_messages.join(cases).outerjoin(agents, case_messages.c.agent_id == agents.c.id))
        .where(
            case_messages.c.role.in_(("agent", "system"))
            & case_messages.c.agent_id.is_not(None)
            & case_messages.c.recorded_at.is_(None)
        )
        .order_by(case_messages.c.id)
    )
    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
    return [{**message_json(row, row.agent_name), "sender_id": row.sender_id, "channel": row.channel} for row in rows]


async def mark_recorded(db: Database, message_id: int, pushed: bool) -> None:
    now = clk.to_db(db.clock())
    values = {"recorded_at": now, **({"delivered_at": now} if pushed else {})}
    async with db.write() as conn:
        await conn.execute(update(case_messages).where(case_messages.c.id == message_id).values(**values))


async def is_recorded(db: Database, message_id: int) -> bool:
    """Rasa has acknowledged this agent reply."""
    query = select(case_messages.c.recorded_at).where(case_messages.c.id == message_id)
    async with db.read() as conn:
        return (await conn.execute(query)).scalar_one_or_none() is not None


async def is_resumed(db: Database, case_id: int) -> bool:
    """Rasa has acknowledged the hand-back or close of this case."""
    async with db.read() as conn:
        return (
            await conn.execute(select(cases.c.resumed_at).where(cases.c.id == case_id))
        ).scalar_one_or_none() is not None


async def unresumed(db: Database) -> List[Dict[str, Any]]:
    """Ended cases whose hand-back Rasa has not acknowledged yet."""
    return await _summaries(db, and_(cases.c.status.in_(ENDED), cases.c.resumed_at.is_(None)))


async def mark_resumed(db: Database, case_id: int) -> None:
    async with db.write() as conn:
        await conn.execute(update(cases).where(cases.c.id == case_id).values(resumed_at=clk.to_db(db.clock())))


async def add_to_outbox(db: Database, sender_id: str, messages: List[Dict[str, Any]]) -> None:
    if not messages:
        return
    now = clk.to_db(db.clock())
    async with db.write() as conn:
        await conn.execute(
            outbox.insert(),
            [{"sender_id": sender_id, "message": json.dumps(m, ensure_ascii=False), "at": now} for m in messages],
        )


async def pull_outbox(db: Database, sender_id: str) -> List[Dict[str, Any]]:
    """Messages waiting for a customer whose channel cannot be pushed to; each is returned once."""
    async with db.write() as conn:
        rows = (
            await conn.execute(
                select(outbox)
                .where((outbox.c.sender_id == sender_id) & (outbox.c.delivered_at.is_(None)))
                .order_by(outbox.c.id)
            )
        ).all()
        if rows:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(delivered_at=clk.to_db(db.clock()))
            )
    return [json.loads(row.message) for row in rows]
