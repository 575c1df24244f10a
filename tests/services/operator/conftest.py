"""Fixtures: a seeded backend on SQLite and on PostgreSQL, served by aiohttp's test server."""

from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.services.operator.app import create_app
from bot.services.operator.routes import DB_KEY
from bot.services.operator.seed import seed_demo
from bot.services.operator.settings import BackendSettings
from tests.support import FakeClock, create_postgres_database, drop_postgres_database

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'operator.db'}"
        return
    url = await create_postgres_database()
    yield url
    await drop_postgres_database(url)


@pytest.fixture
async def client(database_url: str, clock: FakeClock) -> AsyncIterator[TestClient]:
    app = create_app(BackendSettings(database_url=database_url, api_token=TOKEN), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        await seed_demo(app[DB_KEY])
        yield test_client
