"""Start the whole embedded product once per test session: backend, action server, Rasa server.

The model is trained once (only if `models/` has none newer than its sources; see bot/ml/training.py).
"""

import asyncio
import json
import os
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from bot.cli.main import DEMO_AGENT, DEMO_SUPERVISOR, add_agent, seed, seed_canned_replies
from bot.load.ports import free_port
from bot.ml.training import train
from bot.ops.processes import Supervisor
from bot.ops.settings import ProductSettings, load_settings
from bot.ops.stack import embedded_stack, operator_backend
from tests.e2e.fake_wechat import FakeWeChatServer

# Asked after every completed task (actions/satisfaction.py).
ASK_RATING = "请问您对本次服务满意吗？请打分（1-5分，5分最满意）。"


class Product:
    """The running product, plus what tests need to reach behind the chat."""

    def __init__(self, settings: ProductSettings, supervisor: Supervisor, wechat_api: FakeWeChatServer) -> None:
        self.settings = settings
        self.supervisor = supervisor
        self.wechat_api = wechat_api

    def reset_backend(self) -> None:
        """Fresh demo data: restart the operator backend on a newly seeded database."""
        spec = operator_backend(self.settings)
        self.supervisor.stop(spec.name)
        Path(self.settings.operator_db_url.replace("sqlite:///", "")).unlink()
        asyncio.run(seed(self.settings.operator_db_url))
        self.supervisor.start(spec)
        self.supervisor.wait_healthy([spec.name])

    def backend_get(self, path: str) -> Dict[str, Any]:
        request = urllib.request.Request(
            self.settings.operator_url + urllib.parse.quote(path, safe="/?=&"),
            headers={"Authorization": f"Bearer {self.settings.secrets['OPERATOR_API_TOKEN']}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture(scope="session")
def running(tmp_path_factory) -> Iterator[Product]:
    var_dir = tmp_path_factory.mktemp("var")
    wechat_api = FakeWeChatServer().start()
    env = {
        **os.environ,
        "TELEBOT_VAR_DIR": str(var_dir),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "OPERATOR_PORT": str(free_port()),
        "AGENT_PORT": str(free_port()),
        "RETENTION_PORT": str(free_port()),
        "HANDOFF_SERVICE_HOURS": "00:00-24:00",  # agents on duty whatever time the tests run
        "WECHAT_API_URL": wechat_api.url,
        "WECHAT_APP_ID": "wxe2e0000000000000",
    }
    settings = load_settings(env)
    model = train(settings.root, settings.models_dir)
    asyncio.run(seed(settings.operator_db_url))
    asyncio.run(add_agent(settings.handoff_db_url, **DEMO_AGENT))
    asyncio.run(add_agent(settings.handoff_db_url, **DEMO_SUPERVISOR))
    asyncio.run(seed_canned_replies(settings.handoff_db_url))
    supervisor = Supervisor(var_dir / "logs", settings.root)
    try:
        for spec in embedded_stack(settings, model):
            supervisor.start(spec)
        supervisor.wait_healthy()
        yield Product(settings, supervisor, wechat_api)
    finally:
        supervisor.stop()
        wechat_api.stop()


@pytest.fixture(scope="module")
def product(running: Product) -> ProductSettings:
    """Each test module starts from the seeded demo data."""
    running.reset_backend()
    return running.settings


class RestChat:
    """One customer talking to the bot through Rasa's REST channel."""

    def __init__(self, settings: ProductSettings, sender: str) -> None:
        self.url = f"{settings.rasa_url}/webhooks/rest/webhook"
        self.sender = sender
        self.headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.secrets['REST_CHANNEL_TOKEN']}",
        }

    def say(self, message: str) -> List[str]:
        body = json.dumps({"sender": self.sender, "message": message}).encode()
        request = urllib.request.Request(self.url, data=body, headers=self.headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            replies: List[Dict[str, Any]] = json.loads(response.read())
        return [reply["text"] for reply in replies if "text" in reply]


@pytest.fixture
def chat(product, request) -> RestChat:
    return RestChat(product, sender=f"e2e-{request.node.name}")
