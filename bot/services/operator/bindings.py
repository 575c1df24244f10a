"""WeChat openid -> phone number bindings, made after the customer verified the number."""

from typing import Any, Dict

from sqlalchemy import delete, select

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import NotFound
from bot.services.operator.accounts import require_line
from bot.services.operator.tables import wechat_bindings


async def bind(db: Database, openid: str, phone: str) -> Dict[str, Any]:
    now = db.clock()
    async with db.write() as conn:
        await require_line(conn, phone)
        await conn.execute(delete(wechat_bindings).where(wechat_bindings.c.openid == openid))
        await conn.execute(wechat_bindings.insert().values(openid=openid, phone=phone, bound_at=clk.to_db(now)))
    return {"openid": openid, "phone": phone, "bound_at": clk.iso(now)}


async def bound_phone(db: Database, openid: str) -> Dict[str, Any]:
    async with db.read() as conn:
        row = (await conn.execute(select(wechat_bindings).where(wechat_bindings.c.openid == openid))).first()
    if row is None:
        raise NotFound("this openid is not bound to a number", details={"field": "openid"})
    return {"openid": row.openid, "phone": row.phone, "bound_at": clk.iso(clk.from_db(row.bound_at))}
