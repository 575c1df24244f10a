"""Actions run against a real operator backend (SQLite, seeded) served on a free port."""

from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk import Tracker

from bot.clients.base import Endpoint
from bot.clients.desk import DeskClient
from bot.clients.operator import OperatorClient
from bot.ml.domain import load_domain
from bot.services.operator.app import create_app
from bot.services.operator.requests import DB_KEY
from bot.services.operator.seed import seed_demo
from bot.services.operator.settings import BackendSettings
from tests.support import ROOT, FakeClock

TOKEN = "action-test-token-0123456789"


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return load_domain(ROOT / "domain")


@pytest.fixture
async def operator_server(tmp_path) -> AsyncIterator[TestServer]:
    app = create_app(
        BackendSettings(database_url=f"sqlite:///{tmp_path / 'operator.db'}", api_token=TOKEN), clock=FakeClock()
    )
    async with TestServer(app) as server:
        await seed_demo(app[DB_KEY])
        yield server


@pytest.fixture
async def backend(operator_server) -> AsyncIterator[OperatorClient]:
    client = OperatorClient(Endpoint("operator backend", str(operator_server.make_url("")).rstrip("/"), TOKEN))
    yield client
    await client.close()


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    text: str = "",
    intent: str = "inform",
    entities: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[str] = None,
) -> Tracker:
    return Tracker(
        sender_id="test-user",
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


# No handoff service configured: handing off says so plainly (utter_handoff_failed).
NO_DESK = DeskClient(Endpoint("handoff service", ""))

# The satisfaction question, asked once the customer is done (actions/satisfaction.py).
RATING_ASKED = {"response": "utter_ask_satisfaction"}


def rating_for(task: str) -> List[Dict[str, Any]]:
    """What every completed task ends with: the task that awaits the customer's rating."""
    return [{"event": "slot", "timestamp": None, "name": "satisfaction_task", "value": task}]


def customs(dispatcher) -> List[Dict[str, Any]]:
    """The data the actions sent for the channel alone (the handoff state, actions/handoff.py)."""
    return [m["custom"] for m in dispatcher.messages if m.get("response") is None and m.get("custom")]


def responses(dispatcher) -> List[Dict[str, Any]]:
    """The dispatched messages, reduced to the response name and its template variables; data for the
    channel alone (`custom`, as the handoff state: see `customs`) is left out."""
    reduced = []
    for message in dispatcher.messages:
        if message.get("response") is None and not message.get("text") and message.get("custom"):
            continue
        extra = {
            k: v
            for k, v in message.items()
            if k
            not in (
                "text",
                "buttons",
                "image",
                "elements",
                "attachment",
                "custom",
                "response",
                "template",
                "quick_replies",
                "json_message",
            )
        }
        reduced.append({"response": message["response"], **extra})
    return reduced
