"""The handoff service on a free port (SQLite and PostgreSQL), a fake Rasa that records deliveries,
and signed-in agents."""

import asyncio
from typing import Any, AsyncIterator, Dict, List, Optional

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.desk import agents
from bot.services.desk.app import create_app
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.settings import HandoffSettings
from tests.support import FakeClock

TOKEN = "handoff-test-token-0123456789"
SERVICE = {"Authorization": f"Bearer {TOKEN}"}
DELIVERY_TOKEN = "rasa-test-token-0123456789"  # the service's own token towards Rasa (HANDOFF_DELIVERY_TOKEN)


class FakeRasa:
    """Records what the handoff service delivers; answers like bot/rasa/channels/desk.py would."""

    def __init__(self) -> None:
        self.deliveries: List[Dict[str, Any]] = []
        self.push = False
        self.fail = False
        self.gate: Optional[asyncio.Event] = None  # when set, deliveries wait for it (a slow Rasa)
        self.waiting = 0

    def app(self) -> web.Application:
        async def deliver(request: web.Request) -> web.Response:
            if self.fail:
                return web.json_response({"error": "down"}, status=503)
            assert request.headers["Authorization"] == f"Bearer {DELIVERY_TOKEN}"
            body = await request.json()
            if self.gate is not None:
                self.waiting += 1
                await self.gate.wait()
            self.deliveries.append(body)
            if self.push:
                return web.json_response({"pushed": True, "messages": []})
            text = body.get("text") or f"<{body['event']}>"
            return web.json_response({"pushed": False, "messages": [{"text": text}]})

        async def parse(request: web.Request) -> web.Response:
            assert request.headers["Authorization"] == f"Bearer {DELIVERY_TOKEN}" and not request.query
            text = (await request.json())["text"]
            if "营业厅" in text:
                return web.json_response(
                    {
                        "intent": {"name": "faq", "confidence": 0.99},
                        "response_selector": {
                            "faq": {
                                "response": {
                                    "responses": [{"text": "营业厅一般9点到18点营业。"}],
                                    "intent_response_key": "faq/opening_hours",
                                }
                            }
                        },
                    }
                )
            return web.json_response({"intent": {"name": "check_balance", "confidence": 0.9}})

        app = web.Application()
        app.router.add_post("/webhooks/handoff/deliver", deliver)
        app.router.add_post("/webhooks/handoff/parse", parse)
        return app


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    rasa = FakeRasa()
    async with TestServer(rasa.app()) as server:
        rasa.url = str(server.make_url("")).rstrip("/")
        yield rasa


@pytest.fixture
async def service_app(database_url, fake_rasa, clock) -> AsyncIterator[web.Application]:
    settings = HandoffSettings(
        database_url=database_url, service_token=TOKEN, rasa_url=fake_rasa.url, rasa_token=DELIVERY_TOKEN
    )
    app = create_app(settings, clock=clock, retry=False)
    yield app


@pytest.fixture
async def client(service_app) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(service_app)) as test_client:
        db = service_app[SERVICE_KEY].db
        await agents.create_agent(db, username="1001", name="王芳", password="password-1001")
        await agents.create_agent(db, username="1002", name="李强", password="password-1002")
        await agents.create_agent(db, username="2001", name="陈静", password="password-2001", role="supervisor")
        yield test_client


def browser(client: TestClient) -> Dict[str, str]:
    """What a browser sends with the console page's requests: the console's own origin."""
    return {"Origin": str(client.make_url("")).rstrip("/")}


async def sign_in(client: TestClient, username: str) -> aiohttp.ClientSession:
    """A separate browser session (its own cookie jar) for one agent; close it after use. Like a
    browser, it sends the console's origin with every request (the console's Origin check)."""
    agent = aiohttp.ClientSession(
        base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True), headers=browser(client)
    )
    response = await agent.post("/api/login", json={"username": username, "password": f"password-{username}"})
    assert response.status == 200, await response.text()
    return agent
