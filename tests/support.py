"""Helpers shared by the tests: a settable clock and access to the local PostgreSQL."""

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import Optional

import pytest

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


async def create_postgres_database() -> Optional[str]:
    """Create a fresh database on the local server; None (or a failure in CI) if unreachable."""
    import asyncpg

    name = f"telebot_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {POSTGRES_ADMIN_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL} ({error}); CI runs these tests")
        return None
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def drop_postgres_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


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
