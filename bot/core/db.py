"""Database access: an async SQLAlchemy engine plus transaction helpers.

SQLite (embedded default) allows one writer at a time; `Database.write()` serialises writers
inside this process so concurrent requests queue instead of failing with "database is locked".
PostgreSQL relies on its own row locks and unique constraints.
"""

import asyncio
import contextlib
from typing import Any, AsyncIterator

from sqlalchemy import MetaData, event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.core.clock import Clock


def async_url(url: str) -> str:
    """Accept plain `sqlite:///` / `postgresql://` URLs and pick the async driver."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


class Database:
    """The engine, the clock, and a writer lock for SQLite."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that commits on success and rolls back on any exception."""
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock:
            async with self.engine.begin() as conn:
                yield conn

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def create_schema(self, schema: MetaData) -> None:
        """Create the tables of `schema` (each service passes its own) that do not exist yet."""
        async with self.engine.begin() as conn:
            await conn.run_sync(schema.create_all)

    async def close(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_database(url: str, clock: Clock) -> Database:
    engine = create_async_engine(async_url(url), future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return Database(engine, clock)
