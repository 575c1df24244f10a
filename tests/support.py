"""Helpers shared by the tests: a settable clock, a fresh database on the local PostgreSQL, and an aiohttp
app served on a free port."""

import contextlib
import datetime as dt
import os
import uuid
from pathlib import Path
from typing import AsyncIterator, Callable, Optional

import pytest
from aiohttp import web

from bot.core.clock import CHINA

ROOT = Path(__file__).resolve().parents[1]  # the checkout

IN_CI = os.environ.get("CI") == "true"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class FakeClock:
    """A clock the test moves by hand; starts on 2026-11-22 10:00 China time."""

    def __init__(self, start: Optional[dt.datetime] = None) -> None:
        self.now = start or dt.datetime(2026, 11, 22, 10, 0, tzinfo=CHINA)

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.timezone.utc)

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


async def _admin_connection():
    """A connection to the local server's admin database; skips the test (fails it in CI) if unreachable."""
    import asyncpg

    try:
        return await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {POSTGRES_ADMIN_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL} ({error}); CI runs these tests")


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """The URL of a fresh database on the local server, dropped (connections and all) afterwards."""
    name = f"telebot_test_{uuid.uuid4().hex[:12]}"
    conn = await _admin_connection()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        await drop_postgres_database(url)


async def drop_postgres_database(url: str) -> None:
    """Drop the database of `url` on the local server, even with connections still open to it."""
    conn = await _admin_connection()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def serve(
    app: web.Application, make_runner: Callable[[web.Application], web.AppRunner] = web.AppRunner
) -> AsyncIterator[str]:
    """`app` on a free port of 127.0.0.1, as a real server (not aiohttp's test client); yields its URL."""
    runner = make_runner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_client():
    """A client of the local Redis (db 15 by default); skips the test, or fails it in CI, if unreachable."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis is required in CI but unreachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({error}); CI runs these tests")
    return client
