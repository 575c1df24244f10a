"""The web chat channel (socket.io) with every process running: sessions, answers, handoff pushes."""

import asyncio
import queue
import urllib.request

import pytest
import socketio

from tests.e2e.test_handoff_conversations import Console

pytestmark = pytest.mark.e2e


class Widget:
    """What the browser widget does, over python-socketio's client."""

    def __init__(self, settings, session_id=None) -> None:
        self.replies: "queue.Queue[dict]" = queue.Queue()
        self.sessions: "queue.Queue[str]" = queue.Queue()
        self.states: "queue.Queue[dict]" = queue.Queue()  # handoff_state: who answers now
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("handoff_state", self.states.put)
        self.client.on("session_confirm", self.sessions.put)
        # As a browser on the widget's page: Rasa's socket.io accepts that origin only.
        self.client.connect(
            settings.rasa_url, socketio_path="/socket.io", transports=["polling"], headers={"Origin": settings.site_url}
        )
        self.client.emit("session_request", {"session_id": session_id})
        self.session_id = self.sessions.get(timeout=10)

    def say(self, text: str, expected: int, session_id=None):
        self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.session_id})
        return [self.replies.get(timeout=30) for _ in range(expected)]

    def silent(self, seconds: float = 1.5) -> bool:
        try:
            self.replies.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def widget(product, running):
    opened = Widget(running.settings)
    yield opened
    opened.close()


def test_the_server_assigns_the_session_and_answers(widget, running):
    assert widget.say("查一下话费余额", 1) == [{"text": "为了保护您的账户安全，请先提供您的11位手机号码。"}]
    # Back with its own id: the same conversation goes on.
    again = Widget(running.settings, session_id=widget.session_id)
    assert again.session_id == widget.session_id
    assert again.say("13800138000", 1) == [{"text": "请输入该号码的6位服务密码。"}]
    again.close()


def test_a_forged_or_stolen_looking_session_id_gets_a_fresh_conversation(widget, running):
    widget.say("查一下话费余额", 1)
    forged = Widget(running.settings, session_id=widget.session_id.split(".")[0] + ".0" + "f" * 31)
    assert forged.session_id != widget.session_id
    # A session id put in a message is ignored: the socket speaks for its own conversation only.
    # (In the visitor's conversation, waiting for a number, this would ask for the password.)
    assert forged.say("13800138000", 1, session_id=widget.session_id) != [{"text": "请输入该号码的6位服务密码。"}]
    assert widget.silent()
    forged.close()


def test_quick_replies_reach_the_widget(widget):
    replies = widget.say("我要交话费", 1)
    assert replies[0]["text"] == "请提供要缴费的11位手机号码（为他人缴费无需服务密码）。"
    replies = widget.say("13800138000", 1)
    assert replies[0]["text"] == "请问要缴多少钱？例如“50元”。"
    replies = widget.say("50", 1)
    assert [reply["title"] for reply in replies[0]["quick_replies"]] == ["微信", "支付宝", "银行卡"]


async def test_an_agent_reply_is_pushed_to_the_widget_and_the_bot_resumes(widget, running):
    async with Console(running.settings.agent_url) as agent:
        queued = await asyncio.to_thread(widget.say, "转人工", 1)
        assert queued[0]["text"].startswith("正在为您转接人工客服")
        state = lambda: asyncio.to_thread(widget.states.get, True, 10)  # noqa: E731
        assert await state() == {"state": "queued"}  # the header says so; no typing dots for 20 s
        event = await agent.wait_for("queue", lambda e: e["queued"])
        case = event["queued"][0]
        assert case["channel"] == "socketio"
        await agent.session.post(f"/api/cases/{case['id']}/take")
        notice = "客服 王芳 已接入，正在为您服务。"
        assert await state() == {"state": "agent", "agent_name": "王芳", "notice": notice}
        widget.client.emit("user_uttered", {"message": "宽带断网了", "session_id": widget.session_id})
        relayed = await agent.wait_for("message", lambda e: e["message"]["role"] == "customer")
        assert relayed["message"]["text"] == "宽带断网了"
        assert await state() == {"state": "agent", "agent_name": "王芳"}  # relayed: the agent will answer
        await agent.session.post(f"/api/cases/{case['id']}/reply", json={"text": "您好，我来帮您处理。"})
        pushed = await asyncio.to_thread(widget.replies.get, True, 10)
        assert pushed == {"text": "您好，我来帮您处理。", "agent_name": "王芳"}
        await agent.session.post(f"/api/cases/{case['id']}/handback")
        resumed = await asyncio.to_thread(widget.replies.get, True, 10)
        assert resumed["text"] == "人工服务已结束，智能客服小翼继续为您服务。"
        assert await state() == {"state": "bot"}
    assert (await asyncio.to_thread(widget.say, "你好", 1))[0]["text"].startswith("您好，我是智能客服小翼")


def test_the_site_serves_the_widget_without_any_cdn(running):
    with urllib.request.urlopen(running.settings.site_url + "/", timeout=10) as response:
        page = response.read().decode()
    assert "/static/widget.js" in page and "//cdn" not in page and "https://" not in page
    with urllib.request.urlopen(running.settings.site_url + "/vendor/socket.io.min.js", timeout=10) as response:
        assert response.status == 200 and len(response.read()) > 10000


def test_a_page_from_another_origin_cannot_open_the_socket(running):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            running.settings.rasa_url,
            socketio_path="/socket.io",
            transports=["polling"],
            headers={"Origin": "http://evil.example"},
        )
