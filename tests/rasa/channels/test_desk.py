"""bot/rasa/channels/desk.py on a real Rasa server app: the handoff service's own way in (deliveries and
parses for suggestions) with the delivery token, which opens nothing of Rasa's HTTP API."""

import json
from typing import Any, AsyncIterator, Dict

import aiohttp
import pytest
from sanic import Sanic

from bot.load.targets import free_port
from bot.rasa import auth as rasa_auth
from bot.rasa.channels.desk import MAX_PARSE_CHARS, HandoffInput

DELIVERY_TOKEN, API_TOKEN = "d" * 32, "a" * 32
PARSE = {"text": "营业厅几点开门", "intent": {"name": "faq", "confidence": 0.98}, "entities": []}


class Agent:
    ready = True

    def is_ready(self) -> bool:
        return self.ready

    async def parse_message(self, text: str) -> Dict[str, Any]:
        return {**PARSE, "text": text}


@pytest.fixture
async def rasa_url() -> AsyncIterator[str]:
    import rasa.core.run

    Sanic.test_mode = True  # several apps of the same name in one process
    rasa_auth.install()
    port = free_port()
    channel = HandoffInput.from_credentials({"token": DELIVERY_TOKEN})
    app = rasa.core.run.configure_app([channel], auth_token=API_TOKEN, enable_api=True, port=port)
    app.ctx.agent = Agent()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def post(url: str, body: Any, token: str = DELIVERY_TOKEN) -> Any:
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=json.dumps(body), headers={"Authorization": f"Bearer {token}"}) as answer:
            return answer.status, json.loads(await answer.text())


async def test_a_parse_for_suggestions_takes_the_delivery_token(rasa_url):
    assert await post(f"{rasa_url}/webhooks/handoff/parse", {"text": "营业厅几点开门"}) == (200, PARSE)


@pytest.mark.parametrize("token", [API_TOKEN, DELIVERY_TOKEN + "x", ""])
async def test_any_other_token_is_refused(rasa_url, token):
    assert await post(f"{rasa_url}/webhooks/handoff/parse", {"text": "你好"}, token) == (401, {"error": "unauthorized"})
    status, _ = await post(f"{rasa_url}/webhooks/handoff/deliver", {"event": "close", "sender_id": "c1"}, token)
    assert status == 401


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": 5}, {"text": "长" * (MAX_PARSE_CHARS + 1)}, ["x"]])
async def test_a_bad_parse_request_is_400_with_the_reason(rasa_url, body):
    assert await post(f"{rasa_url}/webhooks/handoff/parse", body) == (
        400, {"error": "invalid_input", "message": f"text of 1 to {MAX_PARSE_CHARS} characters needed"})


async def test_the_delivery_token_opens_nothing_of_rasas_api(rasa_url):
    for path in ("/model/parse", "/conversations/c1/tracker/events"):
        status, _ = await post(f"{rasa_url}{path}", {"text": "你好", "event": "restart"})
        assert status == 401, path


async def test_before_the_model_is_loaded_a_parse_is_503(rasa_url, monkeypatch):
    monkeypatch.setattr(Agent, "ready", False)
    assert await post(f"{rasa_url}/webhooks/handoff/parse", {"text": "你好"}) == (
        503, {"error": "not_ready", "message": "no model loaded yet"})


def test_a_short_token_is_refused():
    with pytest.raises(Exception, match="credentials"):
        HandoffInput.from_credentials({"token": "short"})
