"""Agent accounts and signed-in sessions (scrypt password hashes; session tokens stored hashed)."""

import asyncio
import datetime as dt
import hashlib
import secrets
from typing import Any, Dict, List, Optional

from sqlalchemy import delete, select, update

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import NotFound
from bot.core.passwords import hash_password, verify_password
from bot.services.desk.tables import agent_sessions, agents

# Compared against when the username is unknown, so timing does not reveal which agents exist.
_DUMMY_HASH = hash_password("not-a-password", salt=b"\x00" * 16)


ROLES = ("agent", "supervisor")


def agent_json(row: Any) -> Dict[str, Any]:
    return {
        "id": row.id,
        "username": row.username,
        "name": row.name,
        "role": row.role,
        "status": row.status,
        "max_cases": row.max_cases,
    }


async def create_agent(db: Database, *, username: str, name: str, password: str, role: str = "agent") -> Dict[str, Any]:
    if len(password) < 8:
        raise ValueError("an agent password needs at least 8 characters")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    password_hash = await asyncio.to_thread(hash_password, password)
    async with db.write() as conn:
        result = await conn.execute(
            agents.insert().values(
                username=username,
                name=name,
                password_hash=password_hash,
                created_at=clk.to_db(db.clock()),
                role=role,
            )
        )
        agent_id = result.inserted_primary_key[0]
    return {"id": agent_id, "username": username, "name": name, "role": role, "status": "online", "max_cases": 3}


async def set_presence(db: Database, agent_id: int, *, status: str, max_cases: int) -> Dict[str, Any]:
    async with db.write() as conn:
        await conn.execute(update(agents).where(agents.c.id == agent_id).values(status=status, max_cases=max_cases))
    return await get(db, agent_id)


async def get(db: Database, agent_id: int) -> Dict[str, Any]:
    async with db.read() as conn:
        row = (await conn.execute(select(agents).where(agents.c.id == agent_id))).first()
    if row is None:
        raise NotFound("no such agent", details={"field": "agent_id"})
    return agent_json(row)


async def roster(db: Database) -> List[Dict[str, Any]]:
    async with db.read() as conn:
        rows = (await conn.execute(select(agents).order_by(agents.c.username))).all()
    return [agent_json(row) for row in rows]


async def exists(db: Database, username: str) -> bool:
    async with db.read() as conn:
        return (await conn.execute(select(agents.c.id).where(agents.c.username == username))).first() is not None


async def authenticate(db: Database, username: str, password: str) -> Optional[Dict[str, Any]]:
    async with db.read() as conn:
        row = (await conn.execute(select(agents).where(agents.c.username == username))).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    matches = await asyncio.to_thread(verify_password, password, stored)
    return agent_json(row) if row is not None and matches else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(db: Database, agent_id: int, hours: int) -> str:
    token = secrets.token_urlsafe(32)
    expires = clk.to_db(db.clock() + dt.timedelta(hours=hours))
    async with db.write() as conn:
        await conn.execute(
            agent_sessions.insert().values(token_hash=_digest(token), agent_id=agent_id, expires_at=expires)
        )
    return token


async def agent_for_session(db: Database, token: str) -> Optional[Dict[str, Any]]:
    if not token:
        return None
    now = clk.to_db(db.clock())
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(agents)
                .select_from(agents.join(agent_sessions))
                .where((agent_sessions.c.token_hash == _digest(token)) & (agent_sessions.c.expires_at > now))
            )
        ).first()
    return agent_json(row) if row is not None else None


async def close_session(db: Database, token: str) -> None:
    async with db.write() as conn:
        await conn.execute(delete(agent_sessions).where(agent_sessions.c.token_hash == _digest(token)))
