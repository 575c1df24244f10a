"""Database access: an async SQLAlchemy engine plus transaction helpers.

SQLite (embedded default) allows one writer at a time; `Database.write()` serialises writers
inside this process so concurrent requests queue instead of failing with "database is locked".
PostgreSQL relies on its own row locks and unique constraints.
"""

import asyncio
import contextlib
from typing import Any, AsyncIterator, List

from sqlalchemy import MetaData, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.schema import CreateColumn

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
        """Create the tables of `schema` (each service passes its own) that do not exist yet, and add
        the columns a newer release declares to the tables that do (forward-only: nothing is dropped)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(schema.create_all)
            await conn.run_sync(add_missing_columns, schema)

    async def close(self) -> None:
        await self.engine.dispose()


class SchemaError(RuntimeError):
    """The database cannot be brought to the declared schema without losing data."""


def add_missing_columns(connection: Connection, schema: MetaData) -> List[str]:
    """ALTER TABLE … ADD COLUMN for each declared column an existing table lacks; returns them as
    "table.column". A new column must be nullable or have a server default, so old rows stay valid."""
    inspector = inspect(connection)
    added = []
    for table in schema.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                raise SchemaError(f"{table.name}.{column.name} is NOT NULL without a server default")
            preparer = connection.dialect.identifier_preparer
            definition = CreateColumn(column).compile(dialect=connection.dialect)
            connection.execute(text(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {definition}"))
            added.append(f"{table.name}.{column.name}")
    return added


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


def _reader_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_reader(url: str, clock: Clock) -> Database:
    """Another program's database, only read (Rasa's tracker store): no schema, no journal change
    (a read-only SQLite file cannot switch to WAL)."""
    engine = create_async_engine(async_url(url), future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _reader_pragmas)
    return Database(engine, clock)
