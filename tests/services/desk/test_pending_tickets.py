"""Tickets queued while the operator backend was down: kept, submitted when it is back, the customer told."""

from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.desk import pending_tickets
from bot.services.desk.app import create_app
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.settings import HandoffSettings
from tests.services.desk.conftest import SERVICE, TOKEN

OPERATOR_TOKEN = "operator-test-token-0123456789"
TICKET = {
    "sender_id": "c1",
    "channel": "socketio",
    "phone": "13800138000",
    "kind": "故障报修",
    "category": "断网",
    "description": "家里宽带断了",
    "address": "南山区科技园1号",
}


class FakeOperator:
    def __init__(self) -> None:
        self.status = 503
        self.received: List[Dict[str, Any]] = []

    def app(self) -> web.Application:
        async def create(request: web.Request) -> web.Response:
            assert request.headers["Authorization"] == f"Bearer {OPERATOR_TOKEN}"
            if self.status != 201:
                return web.json_response({"error": "down"}, status=self.status)
            body = await request.json()
            self.received.append(body)
            return web.json_response({"id": f"T2026112200{len(self.received)}", **body}, status=201)

        app = web.Application()
        app.router.add_post("/v1/tickets", create)
        return app


@pytest.fixture
async def operator() -> AsyncIterator[FakeOperator]:
    fake = FakeOperator()
    async with TestServer(fake.app()) as server:
        fake.url = str(server.make_url("")).rstrip("/")
        yield fake


@pytest.fixture
async def service(database_url, fake_rasa, clock, operator) -> AsyncIterator[TestClient]:
    settings = HandoffSettings(
        database_url=database_url,
        service_token=TOKEN,
        rasa_url=fake_rasa.url,
        rasa_token="rasa-test-token-0123456789",
        operator_url=operator.url,
        operator_token=OPERATOR_TOKEN,
    )
    async with TestClient(TestServer(create_app(settings, clock=clock, retry=False))) as client:
        yield client


async def test_a_queued_ticket_is_submitted_once_the_backend_is_back(service, operator, fake_rasa):
    answer = await service.post("/v1/pending-tickets", json=TICKET, headers=SERVICE)
    assert answer.status == 201
    assert (await answer.json())["status"] == "pending"
    handoff = service.server.app[SERVICE_KEY]

    await handoff.submit_pending_tickets()  # backend still down: kept
    [pending] = await pending_tickets.unsubmitted(handoff.db)
    assert pending["attempts"] == 1 and fake_rasa.deliveries == []

    operator.status = 201
    await handoff.submit_pending_tickets()
    await handoff.submit_pending_tickets()  # nothing more to do: submitted once, told once
    assert operator.received == [
        {
            "phone": "13800138000",
            "kind": "故障报修",
            "category": "断网",
            "description": "家里宽带断了",
            "address": "南山区科技园1号",
        }
    ]
    assert fake_rasa.deliveries == [
        {
            "event": "response",
            "sender_id": "c1",
            "channel": "socketio",
            "response": "utter_ticket_submitted",
            "values": {"kind": "故障报修", "ticket_id": "T20261122001"},
            "delivery_id": f"pending-ticket-{pending['id']}",
        }
    ]
    assert await pending_tickets.unsubmitted(handoff.db) == []
    assert await pending_tickets.unnotified(handoff.db) == []


async def test_the_customer_is_told_later_when_rasa_is_down_at_submission(service, operator, fake_rasa):
    await service.post("/v1/pending-tickets", json=TICKET, headers=SERVICE)
    handoff = service.server.app[SERVICE_KEY]
    operator.status, fake_rasa.fail = 201, True
    await handoff.submit_pending_tickets()
    assert len(operator.received) == 1 and len(await pending_tickets.unnotified(handoff.db)) == 1
    fake_rasa.fail = False
    await handoff.submit_pending_tickets()
    assert len(operator.received) == 1 and len(fake_rasa.deliveries) == 1


async def test_a_refused_ticket_is_kept_with_the_reason_and_not_retried(service, operator):
    await service.post("/v1/pending-tickets", json=TICKET, headers=SERVICE)
    handoff = service.server.app[SERVICE_KEY]
    operator.status = 400
    await handoff.submit_pending_tickets()
    operator.status = 201
    await handoff.submit_pending_tickets()
    assert operator.received == []
    assert await pending_tickets.unsubmitted(handoff.db) == []


@pytest.mark.parametrize("change", [{"phone": "138"}, {"kind": "开户"}, {"description": ""}, {"sender_id": None}])
async def test_bad_tickets_are_refused(service, change):
    answer = await service.post("/v1/pending-tickets", json={**TICKET, **change}, headers=SERVICE)
    assert answer.status == 400


async def test_the_queue_needs_the_service_token(service):
    assert (await service.post("/v1/pending-tickets", json=TICKET)).status == 401
