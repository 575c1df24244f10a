"""What the production profile needs before its processes start: its PostgreSQL databases, a
reachable Redis and nginx. Each failure says what is missing and how to get it."""

import asyncio
import os
from typing import List
from urllib.parse import urlsplit, urlunsplit

from bot.ops import nginx
from bot.ops.settings import ProductSettings


class NotReady(RuntimeError):
    """Something the production profile needs is missing; the message says what to do."""


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin_url(url: str) -> str:
    """The same server, the `postgres` database (to create the others)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


async def create_databases(urls: List[str]) -> List[str]:
    """Create the PostgreSQL databases that do not exist yet; returns the names created."""
    import asyncpg

    created = []
    for url in urls:
        name = _database_name(url)
        try:
            conn = await asyncpg.connect(_admin_url(url).replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
        except (OSError, asyncpg.PostgresError) as error:
            where = f"{urlsplit(url).hostname}:{urlsplit(url).port or 5432}"  # never the password
            raise NotReady(
                f"PostgreSQL at {where} cannot be reached ({error}); start it, or set "
                f"TELEBOT_POSTGRES_URL to a server you can use"
            ) from None
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
                created.append(name)
        finally:
            await conn.close()
    return created


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        raise NotReady(f"Redis at {url} cannot be reached ({error}); start it, or set TELEBOT_REDIS_URL") from None


def check_nginx() -> None:
    if not os.access(nginx.NGINX, os.X_OK):
        raise NotReady(
            f"nginx was not found at {nginx.NGINX}; `make run PROFILE=production` installs Debian's "
            f"nginx package (or: apt-get install nginx-light)"
        )


def prepare(settings: ProductSettings) -> List[str]:
    """Check the servers, create missing databases; returns the databases created."""
    check_nginx()
    check_redis(settings.redis_url)
    return asyncio.run(create_databases([settings.tracker_db_url, settings.operator_db_url, settings.handoff_db_url]))
