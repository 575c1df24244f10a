"""bot/ops/production.py: what the production profile checks and creates before it starts."""

import uuid

import pytest

from bot.ops import production
from bot.ops.production import NotReady, check_nginx, check_redis, create_databases
from tests.support import POSTGRES_ADMIN_URL, drop_postgres_database, postgres_database


async def test_missing_databases_are_created_once():
    async with postgres_database():  # skips (fails in CI) without PostgreSQL
        pass
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    urls = [f"{base}/telebot_t{uuid.uuid4().hex[:8]}_{name}" for name in ("tracker", "operator")]
    try:
        assert await create_databases(urls) == [url.rsplit("/", 1)[1] for url in urls]
        assert await create_databases(urls) == []
    finally:
        for url in urls:
            await drop_postgres_database(url)


async def test_an_unreachable_postgresql_says_what_to_do():
    with pytest.raises(NotReady, match="PostgreSQL at 127.0.0.1:1 cannot be reached .* TELEBOT_POSTGRES_URL"):
        await create_databases(["postgresql://postgres@127.0.0.1:1/telebot_tracker"])


def test_an_unreachable_redis_says_what_to_do():
    with pytest.raises(NotReady, match="Redis at redis://127.0.0.1:1/0 cannot be reached .* TELEBOT_REDIS_URL"):
        check_redis("redis://127.0.0.1:1/0")


def test_a_missing_nginx_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setattr(production.nginx, "NGINX", str(tmp_path / "nginx"))
    with pytest.raises(NotReady, match="nginx was not found .*make run PROFILE=production"):
        check_nginx()
