"""Human handoff through Rasa's REST channel and the agent console, with every process running."""

import asyncio
import json
import urllib.request

import aiohttp
import pytest

from bot.cli.main import DEMO_AGENT
from bot.ops.stack import rasa_api_headers

pytestmark = pytest.mark.e2e

QUEUED = "正在为您转接人工客服，您是下一位，预计等待约 4 分钟。接通前您可以继续描述问题，客服会看到您之前的对话。"


class Console:
    """An agent signed in to the console, with its live WebSocket open (so agents are online)."""

    def __init__(self, url: str) -> None:
        self.url = url
        # As a browser does: the console's own Origin with every request (the console's Origin check).
        self.session = aiohttp.ClientSession(
            base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Origin": url.rstrip("/")}
        )
        self.socket = None

    async def __aenter__(self) -> "Console":
        login = {"username": DEMO_AGENT["username"], "password": DEMO_AGENT["password"]}
        assert (await self.session.post("/api/login", json=login)).status == 200
        self.socket = await self.session.ws_connect("/ws")
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()
        await self.session.close()

    async def wait_for(self, kind: str, predicate=lambda event: True, timeout: float = 10):
        async def receive():
            while True:
                event = await self.socket.receive_json()
                if event["type"] == kind and predicate(event):
                    return event

        return await asyncio.wait_for(receive(), timeout)


def tracker_events(settings, sender):
    url = urllib.request.Request(
        f"{settings.rasa_url}/conversations/{sender}/tracker", headers=rasa_api_headers(settings)
    )
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["events"]


async def test_an_agent_takes_over_replies_and_hands_back(chat, product, running):
    say = lambda text: asyncio.to_thread(chat.say, text)  # noqa: E731 - the customer, in a thread
    async with Console(running.settings.agent_url) as agent:
        assert await say("查一下话费余额") == ["为了保护您的账户安全，请先提供您的11位手机号码。"]
        assert await say("13800138000") == ["请输入该号码的6位服务密码。"]
        assert await say("转人工") == [QUEUED]
        queued = await agent.wait_for("queue", lambda event: event["queued"])
        case = queued["queued"][0]
        assert (case["sender_id"], case["reason"], case["masked_phone"], case["verified"]) == (
            chat.sender,
            "requested",
            "138****8000",
            False,
        )
        assert (await agent.session.post(f"/api/cases/{case['id']}/take")).status == 200
        # The bot is paused: the customer's words go to the agent, live, and into Rasa's tracker. A REST
        # client collects with them that the agent took the case.
        assert await say("家里宽带从昨晚开始一直断网") == ["客服 王芳 已接入，正在为您服务。"]
        relayed = await agent.wait_for("message", lambda event: event["message"]["role"] == "customer")
        assert relayed["message"]["text"] == "家里宽带从昨晚开始一直断网"
        details = await (await agent.session.get(f"/api/cases/{case['id']}")).json()
        assert [m["text"] for m in details["transcript"]][:3] == [
            "查一下话费余额",
            "为了保护您的账户安全，请先提供您的11位手机号码。",
            "138****8000",
        ]
        assert details["suggestion"]["label"] == "下一步：故障报修"
        reply = await agent.session.post(
            f"/api/cases/{case['id']}/reply", json={"text": "您好，我是客服王芳，马上为您查看。"}
        )
        assert reply.status == 201
        # A REST client collects the agent's reply with its next message.
        assert await say("好的") == ["您好，我是客服王芳，马上为您查看。"]
        handed = await agent.session.post(f"/api/cases/{case['id']}/handback")
        assert (await handed.json())["status"] == "handed_back"
    # The bot is back: it says so and answers again (it still knows the number); the rating waits
    # until the customer is done.
    assert await say("流量还剩多少") == [
        "人工服务已结束，智能客服小翼继续为您服务。",
        "请输入该号码的6位服务密码。",
    ]
    events = tracker_events(running.settings, chat.sender)
    kinds = [event["event"] for event in events]
    assert "pause" in kinds and "resume" in kinds
    agent_said = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("handoff_agent")]
    assert [(e["text"], e["metadata"]["handoff_agent"]) for e in agent_said] == [
        ("客服 王芳 已接入，正在为您服务。", "王芳"),
        ("您好，我是客服王芳，马上为您查看。", "王芳"),
    ]
    assert any(e["event"] == "user" and e["text"] == "家里宽带从昨晚开始一直断网" for e in events)


def test_with_no_agent_online_a_callback_is_registered(chat, product, running):
    replies = chat.say("我要找人工")
    assert replies == ["抱歉，人工客服暂时都在忙。需要的话可以为您登记回电，客服会尽快联系您，免去排队等待。"]
    assert chat.say("/request_callback") == ["请提供方便接听的11位手机号码，客服会打这个号码联系您。"]
    reply = chat.say("13900139000")
    assert len(reply) == 1 and reply[0].startswith("已为您登记回电，单号 T") and reply[0].endswith("139****9000。")
    ticket_id = reply[0].split("单号 ")[1].split("，")[0]
    assert running.backend_get(f"/v1/tickets/{ticket_id}")["kind"] == "回访"
