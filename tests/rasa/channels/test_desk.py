"""bot/rasa/channels/desk.py on a real Rasa server app: the handoff service's own way in (deliveries and
parses for suggestions) with the delivery token, which opens nothing of Rasa's HTTP API."""

import json
from typing import Any, AsyncIterator, Dict, List

import aiohttp
import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.load.targets import free_port
from bot.rasa import auth as rasa_auth
from bot.rasa.channels.desk import MAX_PARSE_CHARS, HandoffInput

DELIVERY_TOKEN, API_TOKEN = "d" * 32, "a" * 32
PARSE = {"text": "营业厅几点开门", "intent": {"name": "faq", "confidence": 0.98}, "entities": []}


RESUMED = "人工服务已结束，智能客服小翼继续为您服务。"
RESPONSES = {"utter_handoff_taken": [{"text": "客服 {agent_name} 已接入，正在为您服务。"}]}


class Processor:
    def __init__(self, store: InMemoryTrackerStore) -> None:
        self.store = store

    async def get_tracker(self, sender_id: str) -> DialogueStateTracker:
        return await self.store.get_or_create_tracker(sender_id)


class Agent:
    """What the handoff channel uses of rasa.core.agent.Agent, with Rasa's own in-memory stores; the
    hand-back action says one line."""

    ready = True

    def __init__(self) -> None:
        self.domain = Domain.empty()
        self.tracker_store = InMemoryTrackerStore(self.domain)
        self.lock_store = InMemoryLockStore()
        self.processor = Processor(self.tracker_store)
        self.nlg = TemplatedNaturalLanguageGenerator(RESPONSES)
        self.actions: List[str] = []

    def is_ready(self) -> bool:
        return self.ready

    async def parse_message(self, text: str) -> Dict[str, Any]:
        return {**PARSE, "text": text}

    async def execute_action(self, sender_id: str, action: str, output: Any, *_: Any) -> None:
        self.actions.append(action)
        tracker = await self.tracker_store.retrieve(sender_id)
        if action == "action_resume_after_handoff":
            tracker.update(BotUttered(RESUMED))
            await output.send_text_message(sender_id, RESUMED)
        tracker.update(ActionExecuted(action))
        await self.tracker_store.save(tracker)


@pytest.fixture
def agent() -> Agent:
    return Agent()


@pytest.fixture
async def rasa_url(agent) -> AsyncIterator[str]:
    import rasa.core.run

    Sanic.test_mode = True  # several apps of the same name in one process
    rasa_auth.install()
    port = free_port()
    channel = HandoffInput.from_credentials({"token": DELIVERY_TOKEN})
    app = rasa.core.run.configure_app([channel], auth_token=API_TOKEN, enable_api=True, port=port)
    app.ctx.agent = agent
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
        400,
        {"error": "invalid_input", "message": f"text of 1 to {MAX_PARSE_CHARS} characters needed"},
    )


async def test_the_delivery_token_opens_nothing_of_rasas_api(rasa_url):
    for path in ("/model/parse", "/conversations/c1/tracker/events"):
        status, _ = await post(f"{rasa_url}{path}", {"text": "你好", "event": "restart"})
        assert status == 401, path


async def test_before_the_model_is_loaded_a_parse_is_503(rasa_url, monkeypatch):
    monkeypatch.setattr(Agent, "ready", False)
    assert await post(f"{rasa_url}/webhooks/handoff/parse", {"text": "你好"}) == (
        503,
        {"error": "not_ready", "message": "no model loaded yet"},
    )


async def paused(agent: Agent, sender_id: str) -> None:
    tracker = await agent.tracker_store.get_or_create_tracker(sender_id)
    tracker.update(ConversationPaused())
    await agent.tracker_store.save(tracker)


async def test_a_repeated_agent_reply_is_recorded_once_and_answered_the_same(rasa_url, agent):
    await paused(agent, "c1")
    reply = {"event": "message", "sender_id": "c1", "text": "您好，我是王芳", "agent_name": "王芳"}
    first = await post(f"{rasa_url}/webhooks/handoff/deliver", {**reply, "delivery_id": "agent-message-7"})
    again = await post(f"{rasa_url}/webhooks/handoff/deliver", {**reply, "delivery_id": "agent-message-7"})
    said = [{"recipient_id": "c1", "text": "您好，我是王芳", "custom": {"agent_name": "王芳"}}]
    assert first == (200, {"pushed": False, "messages": said, "repeat": False})
    assert again == (200, {"pushed": False, "messages": said, "repeat": True})
    tracker = await agent.tracker_store.retrieve("c1")
    assert [(e.text, e.metadata) for e in tracker.events if isinstance(e, BotUttered)] == [
        ("您好，我是王芳", {"handoff_agent": "王芳", "handoff_delivery": "agent-message-7"})
    ]
    # Another reply with the same words is another delivery.
    other = await post(f"{rasa_url}/webhooks/handoff/deliver", {**reply, "delivery_id": "agent-message-8"})
    assert other == (200, {"pushed": False, "messages": said, "repeat": False})


async def test_a_repeated_hand_back_resumes_once_and_answers_the_first_words(rasa_url, agent):
    await paused(agent, "c2")
    handback = {"event": "handback", "sender_id": "c2", "delivery_id": "case-3-handback"}
    first = await post(f"{rasa_url}/webhooks/handoff/deliver", handback)
    again = await post(f"{rasa_url}/webhooks/handoff/deliver", handback)
    said = [{"recipient_id": "c2", "text": RESUMED}]
    assert first == (200, {"pushed": False, "messages": said, "repeat": False})
    assert again == (200, {"pushed": False, "messages": said, "repeat": True})
    assert agent.actions == ["action_resume_after_handoff", "action_listen"]
    tracker = await agent.tracker_store.retrieve("c2")
    kinds = [e.type_name for e in tracker.events]
    assert kinds[kinds.index("pause") :] == ["pause", "resume", "bot", "action", "action"]
    assert not tracker.is_paused()


async def test_a_queue_timeout_resumes_the_bot_with_the_callback_offer(rasa_url, agent):
    await paused(agent, "c5")
    timeout = {"event": "timeout", "sender_id": "c5", "delivery_id": "case-8-timeout"}
    status, body = await post(f"{rasa_url}/webhooks/handoff/deliver", timeout)
    assert (status, body["repeat"]) == (200, False)
    assert agent.actions == ["utter_handoff_queue_timeout", "action_listen"]
    tracker = await agent.tracker_store.retrieve("c5")
    assert not tracker.is_paused()


@pytest.mark.parametrize("delivery_id", ["", 7, "x" * 65, ["case-1"]])
async def test_a_bad_delivery_id_is_400(rasa_url, agent, delivery_id):
    body = {"event": "handback", "sender_id": "c3", "delivery_id": delivery_id}
    assert await post(f"{rasa_url}/webhooks/handoff/deliver", body) == (
        400,
        {"error": "invalid_input", "message": "delivery_id must be a string of 1 to 64 characters"},
    )
    assert agent.actions == []


def test_a_short_token_is_refused():
    with pytest.raises(Exception, match="credentials"):
        HandoffInput.from_credentials({"token": "short"})


async def test_a_taken_case_tells_the_customer_who_answers_once(rasa_url, agent):
    await paused(agent, "c4")
    taken = {"event": "taken", "sender_id": "c4", "agent_name": "王芳", "delivery_id": "case-4-taken"}
    first = await post(f"{rasa_url}/webhooks/handoff/deliver", taken)
    again = await post(f"{rasa_url}/webhooks/handoff/deliver", taken)
    notice = "客服 王芳 已接入，正在为您服务。"
    said = [
        {
            "recipient_id": "c4",
            "text": notice,
            "custom": {"handoff": {"state": "agent", "agent_name": "王芳", "notice": notice}},
        }
    ]
    assert first == (200, {"pushed": False, "messages": said, "repeat": False})
    assert again == (200, {"pushed": False, "messages": said, "repeat": True})
    tracker = await agent.tracker_store.retrieve("c4")
    assert [(e.text, e.metadata) for e in tracker.events if isinstance(e, BotUttered)] == [
        (notice, {"handoff_agent": "王芳", "handoff_delivery": "case-4-taken"})
    ]
    assert tracker.is_paused()  # the agent has it now: the bot stays quiet


async def test_a_taken_case_needs_the_agents_name(rasa_url, agent):
    body = {"event": "taken", "sender_id": "c5", "delivery_id": "case-5-taken"}
    assert await post(f"{rasa_url}/webhooks/handoff/deliver", body) == (
        400,
        {"error": "invalid_input", "message": "agent_name needed"},
    )
