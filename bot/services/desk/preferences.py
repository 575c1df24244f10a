"""The desk's settings a supervisor changes in the console (SQL): how cases reach agents."""

from sqlalchemy import select, update

from bot.core.db import Database
from bot.services.desk.assignment import MODES
from bot.services.desk.tables import desk_settings

ASSIGN_MODE = "assign_mode"


async def assign_mode(db: Database) -> str:
    """`manual` (agents take cases from the queue; the default) or `auto` (the desk assigns them)."""
    async with db.read() as conn:
        value = (await conn.execute(select(desk_settings.c.value).where(desk_settings.c.key == ASSIGN_MODE))).scalar()
    return value if value in MODES else "manual"


async def set_assign_mode(db: Database, mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"assign mode must be one of {', '.join(MODES)}")
    async with db.write() as conn:
        changed = await conn.execute(update(desk_settings).where(desk_settings.c.key == ASSIGN_MODE).values(value=mode))
        if changed.rowcount == 0:
            await conn.execute(desk_settings.insert().values(key=ASSIGN_MODE, value=mode))
