"""Actions run against a real operator backend (SQLite, seeded) served on a free port."""

from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
import yaml
from aiohttp.test_utils import TestServer
from rasa_sdk import Tracker

from actions.backend import OperatorBackend
from actions.desk import HandoffDesk
from actions.settings import ActionSettings
from bot.backend.app import create_app
from bot.backend.routes import DB_KEY
from bot.backend.seed import seed_demo
from bot.backend.settings import BackendSettings
from tests.support import FakeClock

TOKEN = "action-test-token-0123456789"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
async def operator_server(tmp_path) -> AsyncIterator[TestServer]:
    app = create_app(
        BackendSettings(database_url=f"sqlite:///{tmp_path / 'operator.db'}", api_token=TOKEN), clock=FakeClock()
    )
    async with TestServer(app) as server:
        await seed_demo(app[DB_KEY])
        yield server


@pytest.fixture
async def backend(operator_server) -> AsyncIterator[OperatorBackend]:
    client = OperatorBackend(
        ActionSettings(backend_url=str(operator_server.make_url("")).rstrip("/"), backend_token=TOKEN)
    )
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


# A handoff desk with no service behind it: handing off says so plainly (utter_handoff_failed).
NO_DESK = HandoffDesk(ActionSettings(backend_url="http://127.0.0.1:9", backend_token="x"))

# What every completed task ends with: the satisfaction question, and the task it is about.
RATING_ASKED = {"response": "utter_ask_satisfaction"}


def rating_for(task: str) -> List[Dict[str, Any]]:
    return [{"event": "slot", "timestamp": None, "name": "satisfaction_task", "value": task}]


def responses(dispatcher) -> List[Dict[str, Any]]:
    """The dispatched messages, reduced to the response name and its template variables."""
    reduced = []
    for message in dispatcher.messages:
        extra = {k: v for k, v in message.items()
                 if k not in ("text", "buttons", "image", "elements", "attachment", "custom", "response",
                              "template", "quick_replies", "json_message")}
        reduced.append({"response": message["response"], **extra})
    return reduced
