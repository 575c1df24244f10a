"""One customer's personal data in the operator backend: export it, erase what the law lets go
(PIPL Art. 45 and 47; `python -m bot privacy`, bot/cli/privacy.py).

Erasing removes the WeChat bindings, anonymises the tickets (moved to the anonymous line
`ERASED_PHONE`, their description, address and history notes removed) and the satisfaction
ratings (number and conversation dropped). It keeps the line and its account records, the consent
log and the payments: the law requires them (see `KEPT`). The 服务密码 hash is never exported.
"""

from typing import Any, Dict, List

from aiohttp import web
from sqlalchemy import delete, func, select, update

from bot.core import clock as clk
from bot.core.db import Database
from bot.services.operator import validation as v
from bot.services.operator.accounts import line_json
from bot.services.operator.billing import payment_json
from bot.services.operator.consents import consent_json
from bot.services.operator.requests import DB_KEY
from bot.services.operator.tables import (
    consents,
    customers,
    lines,
    payments,
    satisfaction_ratings,
    ticket_events,
    tickets,
    wechat_bindings,
)
from bot.services.operator.tickets import get as get_ticket

# Anonymised tickets belong to this line: not a valid mobile number, so no API reaches it.
ERASED_PHONE = "10000000000"
ERASED_TEXT = "（已按客户要求删除）"
ERASED_SENDER = "erased"

KEPT = {
    "line": "号码与账户仍在服务中（合同关系）；销户需到营业厅办理。",
    "consents": "消费确认记录是客户同意扣费或退订的证据（工信部消费提醒规定），争议时须出示；"
    "《个人信息保护法》第四十七条允许在法律要求的保存期内保留。",
    "payments": "缴费记录属于会计资料，须依《会计法》《会计档案管理办法》保存；"
    "《个人信息保护法》第四十七条允许在法律要求的保存期内保留。",
}


async def export(db: Database, phone: str) -> Dict[str, Any]:
    """Everything the backend holds about the number; `line` is None for a number it does not know."""
    async with db.read() as conn:
        line = (
            await conn.execute(
                select(lines, customers.c.name.label("customer_name"))
                .join(customers, customers.c.id == lines.c.customer_id)
                .where(lines.c.phone == phone)
            )
        ).first()
        consent_rows = (
            await conn.execute(select(consents).where(consents.c.phone == phone).order_by(consents.c.id))
        ).all()
        payment_rows = (
            await conn.execute(select(payments).where(payments.c.phone == phone).order_by(payments.c.id))
        ).all()
        ticket_ids = (
            (await conn.execute(select(tickets.c.id).where(tickets.c.phone == phone).order_by(tickets.c.id)))
            .scalars()
            .all()
        )
        bindings = (
            await conn.execute(
                select(wechat_bindings).where(wechat_bindings.c.phone == phone).order_by(wechat_bindings.c.openid)
            )
        ).all()
        ratings = (
            await conn.execute(
                select(satisfaction_ratings)
                .where(satisfaction_ratings.c.phone == phone)
                .order_by(satisfaction_ratings.c.id)
            )
        ).all()
    return {
        "line": {**line_json(line), "created_at": clk.iso(clk.from_db(line.created_at))} if line else None,
        "consents": [consent_json(row) for row in consent_rows],
        "payments": [payment_json(row) for row in payment_rows],
        "tickets": [await get_ticket(db, ticket_id) for ticket_id in ticket_ids],
        "wechat_bindings": [{"openid": row.openid, "bound_at": clk.iso(clk.from_db(row.bound_at))} for row in bindings],
        "satisfaction_ratings": [
            {
                "id": row.id,
                "sender_id": row.sender_id,
                "channel": row.channel,
                "task": row.task,
                "score": row.score,
                "created_at": clk.iso(clk.from_db(row.created_at)),
            }
            for row in ratings
        ],
    }


async def _erased_line(conn: Any, db: Database) -> None:
    """The anonymous line that anonymised tickets point to (tickets need a line); made once."""
    if (await conn.execute(select(lines.c.phone).where(lines.c.phone == ERASED_PHONE))).first() is not None:
        return
    now = clk.to_db(db.clock())
    result = await conn.execute(customers.insert().values(name="（已匿名）", created_at=now))
    await conn.execute(
        lines.insert().values(
            phone=ERASED_PHONE,
            customer_id=result.inserted_primary_key[0],
            password_hash="!",
            balance_fen=0,
            status="erased",
            created_at=now,
        )
    )


async def erase(db: Database, phone: str) -> Dict[str, Any]:
    """Remove or anonymise what may go; say what is kept and why. Running it again changes nothing."""
    async with db.write() as conn:
        openids = (
            (
                await conn.execute(
                    select(wechat_bindings.c.openid)
                    .where(wechat_bindings.c.phone == phone)
                    .order_by(wechat_bindings.c.openid)
                )
            )
            .scalars()
            .all()
        )
        await conn.execute(delete(wechat_bindings).where(wechat_bindings.c.phone == phone))
        ticket_ids: List[str] = list(
            (await conn.execute(select(tickets.c.id).where(tickets.c.phone == phone).order_by(tickets.c.id)))
            .scalars()
            .all()
        )
        if ticket_ids:
            await _erased_line(conn, db)
            await conn.execute(
                update(tickets)
                .where(tickets.c.id.in_(ticket_ids))
                .values(phone=ERASED_PHONE, description=ERASED_TEXT, address=None)
            )
            await conn.execute(
                update(ticket_events).where(ticket_events.c.ticket_id.in_(ticket_ids)).values(note=ERASED_TEXT)
            )
        ratings = await conn.execute(
            update(satisfaction_ratings)
            .where(satisfaction_ratings.c.phone == phone)
            .values(phone=None, sender_id=ERASED_SENDER)
        )
        counts = {}
        for name, table in (("consents", consents), ("payments", payments)):
            counts[name] = (
                await conn.execute(select(func.count()).select_from(table).where(table.c.phone == phone))
            ).scalar_one()
        counts["line"] = (
            await conn.execute(select(func.count()).select_from(lines).where(lines.c.phone == phone))
        ).scalar_one()
    return {
        "deleted": {"wechat_bindings": list(openids)},
        "anonymised": {"tickets": ticket_ids, "satisfaction_ratings": ratings.rowcount},
        "kept": [{"what": name, "count": counts[name], "why": KEPT[name]} for name in KEPT if counts[name]],
    }


privacy_routes = web.RouteTableDef()


def _db(request: web.Request) -> Database:
    return request.app[DB_KEY]


@privacy_routes.get("/v1/privacy/{phone}")
async def export_customer(request: web.Request) -> web.Response:
    return web.json_response(await export(_db(request), v.phone(request.match_info["phone"])))


@privacy_routes.post("/v1/privacy/{phone}/erase")
async def erase_customer(request: web.Request) -> web.Response:
    return web.json_response(await erase(_db(request), v.phone(request.match_info["phone"])))
