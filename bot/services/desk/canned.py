"""Canned replies in the handoff database: list, create, change, delete (SQL only; the text's rules
and filling are bot/services/desk/canned_text.py)."""

from typing import Any, Dict, List

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import Conflict, NotFound
from bot.services.desk.tables import canned_replies

# What a new installation starts with; supervisors change them in the console.
DEFAULTS = (
    ("hi", "开场问候", "您好{姓名}，我是客服{坐席}，很高兴为您服务，请问有什么可以帮您？"),
    ("wait", "请稍等", "请您稍等，我正在为您查询，大约需要 1 到 2 分钟。"),
    ("line", "核对号码", "为您查询的是尾号{号码尾号}的号码，请问对吗？"),
    ("bye", "结束语", "感谢您的耐心等待，还有其他可以帮您的吗？如没有，稍后会请您为本次服务评分。"),
)


class ShortcutTaken(Conflict):
    code = "shortcut_taken"


def _json(row: Any) -> Dict[str, Any]:
    return {
        "id": row.id,
        "shortcut": row.shortcut,
        "title": row.title,
        "text": row.text,
        "updated_at": clk.iso(clk.from_db(row.updated_at)),
    }


async def listed(db: Database) -> List[Dict[str, Any]]:
    async with db.read() as conn:
        rows = (await conn.execute(select(canned_replies).order_by(canned_replies.c.shortcut))).all()
    return [_json(row) for row in rows]


async def get(db: Database, reply_id: int) -> Dict[str, Any]:
    async with db.read() as conn:
        row = (await conn.execute(select(canned_replies).where(canned_replies.c.id == reply_id))).first()
    if row is None:
        raise NotFound("no such canned reply", details={"field": "id"})
    return _json(row)


async def create(db: Database, fields: Dict[str, str], by: int) -> Dict[str, Any]:
    try:
        async with db.write() as conn:
            result = await conn.execute(
                canned_replies.insert().values(**fields, updated_by=by, updated_at=clk.to_db(db.clock()))
            )
    except IntegrityError:
        raise ShortcutTaken(f"the shortcut /{fields['shortcut']} is taken") from None
    return await get(db, result.inserted_primary_key[0])


async def change(db: Database, reply_id: int, fields: Dict[str, str], by: int) -> Dict[str, Any]:
    await get(db, reply_id)
    try:
        async with db.write() as conn:
            await conn.execute(
                update(canned_replies)
                .where(canned_replies.c.id == reply_id)
                .values(**fields, updated_by=by, updated_at=clk.to_db(db.clock()))
            )
    except IntegrityError:
        raise ShortcutTaken(f"the shortcut /{fields['shortcut']} is taken") from None
    return await get(db, reply_id)


async def remove(db: Database, reply_id: int) -> None:
    await get(db, reply_id)
    async with db.write() as conn:
        await conn.execute(delete(canned_replies).where(canned_replies.c.id == reply_id))


async def seed_defaults(db: Database) -> int:
    """The default replies, on a database that has none; how many were added."""
    if await listed(db):
        return 0
    async with db.write() as conn:
        now = clk.to_db(db.clock())
        await conn.execute(
            canned_replies.insert(),
            [{"shortcut": s, "title": t, "text": x, "updated_by": None, "updated_at": now} for s, t, x in DEFAULTS],
        )
    return len(DEFAULTS)
