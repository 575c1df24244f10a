"""Fixtures: a seeded backend on SQLite and on PostgreSQL (`database_url`, tests/conftest.py), served by
aiohttp's test server."""

from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.services.operator.app import create_app
from bot.services.operator.requests import DB_KEY
from bot.services.operator.seed import seed_demo
from bot.services.operator.settings import BackendSettings
from tests.support import FakeClock

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def client(database_url: str, clock: FakeClock) -> AsyncIterator[TestClient]:
    app = create_app(BackendSettings(database_url=database_url, api_token=TOKEN), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        await seed_demo(app[DB_KEY])
        yield test_client
