"""Start the whole embedded product once per test session: backend, action server, Rasa server.

The model is trained once (only if `models/` has none newer than data/, config.yml and domain.yml).
"""

import asyncio
import json
import os
import socket
import urllib.request
from typing import Any, Dict, Iterator, List

import pytest

from bot.cli import seed
from bot.processes import Supervisor
from bot.settings import ProductSettings, load_settings
from bot.stack import embedded_stack
from bot.training import train


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def product(tmp_path_factory) -> Iterator[ProductSettings]:
    var_dir = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "TELEBOT_VAR_DIR": str(var_dir),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "OPERATOR_PORT": str(free_port()),
    }
    settings = load_settings(env)
    model = train(settings.root, settings.models_dir)
    asyncio.run(seed(settings.operator_db_url))
    supervisor = Supervisor(var_dir / "logs", settings.root)
    try:
        for spec in embedded_stack(settings, model):
            supervisor.start(spec)
        supervisor.wait_healthy()
        yield settings
    finally:
        supervisor.stop()


class RestChat:
    """One customer talking to the bot through Rasa's REST channel."""

    def __init__(self, settings: ProductSettings, sender: str) -> None:
        self.url = f"{settings.rasa_url}/webhooks/rest/webhook"
        self.sender = sender

    def say(self, message: str) -> List[str]:
        body = json.dumps({"sender": self.sender, "message": message}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            replies: List[Dict[str, Any]] = json.loads(response.read())
        return [reply["text"] for reply in replies if "text" in reply]


@pytest.fixture
def chat(product, request) -> RestChat:
    return RestChat(product, sender=f"e2e-{request.node.name}")
