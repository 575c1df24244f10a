"""The WeChat channel's timing rules with a fake WeChat API: retries run once, slow answers go
through the customer-service API, the access token has one owner and is renewed when refused;
and the same with two replicas sharing their state in Redis (production profile)."""

import asyncio
import uuid
from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.channels.channel import UserMessage

from bot.core.kv import RedisKV
from bot.rasa.channels.relay import HandoffRelay
from bot.rasa.wechat.api import AccessToken, CustomerServiceApi
from bot.rasa.wechat.channel import WeChatInput
from bot.rasa.wechat.protocol import Message
from bot.rasa.wechat.state import WeChatState
from tests.support import REDIS_URL, redis_client


class FakeWeChatApi:
    def __init__(self) -> None:
        self.tokens_issued = 0
        self.sent: List[Dict[str, Any]] = []
        self.expire_next = False

    def app(self) -> web.Application:
        async def token(request: web.Request) -> web.Response:
            assert (request.query["appid"], request.query["secret"]) == ("wxapp", "app-secret")
            self.tokens_issued += 1
            return web.json_response({"access_token": f"token-{self.tokens_issued}", "expires_in": 7200})

        async def send(request: web.Request) -> web.Response:
            if self.expire_next:
                self.expire_next = False
                return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
            self.sent.append({"token": request.query["access_token"], **(await request.json())})
            return web.json_response({"errcode": 0, "errmsg": "ok"})

        app = web.Application()
        app.router.add_get("/cgi-bin/token", token)
        app.router.add_post("/cgi-bin/message/custom/send", send)
        return app


@pytest.fixture
async def wechat_api() -> AsyncIterator[FakeWeChatApi]:
    fake = FakeWeChatApi()
    async with TestServer(fake.app()) as server:
        fake.url = str(server.make_url("")).rstrip("/")
        yield fake


def channel(fake: FakeWeChatApi, deadline: float) -> WeChatInput:
    api = CustomerServiceApi(fake.url, AccessToken("wxapp", "app-secret"))
    return WeChatInput("token", "wxapp", api, None, HandoffRelay(None), deadline_s=deadline)


def bot(delay: float, calls: List[str]):
    async def on_new_message(message: UserMessage) -> None:
        calls.append(message.text)
        await asyncio.sleep(delay)
        await message.output_channel.send_text_with_buttons(
            message.sender_id,
            "请选择支付方式：",
            [{"title": "微信", "payload": "/inform"}, {"title": "支付宝", "payload": "/x"}],
        )

    return on_new_message


MESSAGE = Message(
    to_user="gh", from_user="o_customer", create_time=1790000000, msg_type="text", content="交话费", msg_id="1001"
)


async def test_a_fast_answer_is_a_passive_reply_and_retries_process_once(wechat_api):
    calls: List[str] = []
    wechat = channel(wechat_api, deadline=2.0)
    answers = await asyncio.gather(*(wechat._answer(MESSAGE, bot(0.05, calls)) for _ in range(4)))
    assert calls == ["交话费"]  # four deliveries of one message: the bot ran once
    assert sorted(answers) == ["", "", "", "请选择支付方式：\n· 微信\n· 支付宝"]  # and answered once
    await asyncio.sleep(0.05)
    assert wechat_api.sent == []


async def test_a_slow_answer_goes_through_the_customer_service_api(wechat_api):
    calls: List[str] = []
    wechat = channel(wechat_api, deadline=0.05)
    assert await wechat._answer(MESSAGE, bot(0.2, calls)) == ""  # WeChat gets `success` at once
    assert await wechat._answer(MESSAGE, bot(0.2, calls)) == ""  # its retry too, and nothing runs again
    await asyncio.sleep(0.4)
    assert calls == ["交话费"]
    assert wechat_api.sent == [
        {
            "token": "token-1",
            "touser": "o_customer",
            "msgtype": "text",
            "text": {"content": "请选择支付方式：\n· 微信\n· 支付宝"},
        }
    ]


async def test_the_access_token_is_shared_and_renewed_when_wechat_refuses_it(wechat_api):
    api = CustomerServiceApi(wechat_api.url, AccessToken("wxapp", "app-secret"))
    await asyncio.gather(*(api.send_text("o_1", f"消息{i}") for i in range(5)))
    assert wechat_api.tokens_issued == 1  # one owner: five messages, one token
    wechat_api.expire_next = True
    await api.send_text("o_1", "过期之后")
    assert wechat_api.tokens_issued == 2 and wechat_api.sent[-1]["token"] == "token-2"
    await api.close()


def test_a_message_is_remembered_as_long_as_its_timestamp_is_accepted():
    from bot.rasa.wechat.state import MAX_CLOCK_SKEW_S, REMEMBER_S

    # A replay inside the accepted window is a known repeat; outside it, a stale timestamp (403).
    assert REMEMBER_S > 2 * MAX_CLOCK_SKEW_S


@pytest.fixture
async def shared():
    """What two replicas share in production: a WeChatState in Redis."""
    from redis import asyncio as aioredis

    redis_client()  # skips (or fails in CI) without Redis
    namespace = f"test:wx:{uuid.uuid4().hex[:10]}"
    clients = []

    def state() -> WeChatState:  # one client per replica, as two processes would have
        client = aioredis.Redis.from_url(REDIS_URL)
        clients.append(client)
        return WeChatState(RedisKV(client), namespace, remember_s=60)

    yield state
    async for key in clients[0].scan_iter(f"{namespace}*"):
        await clients[0].delete(key)
    for client in clients:
        await client.close()


def replica(fake: FakeWeChatApi, state: WeChatState, deadline: float) -> WeChatInput:
    api = CustomerServiceApi(fake.url, AccessToken("wxapp", "app-secret", state))
    return WeChatInput("token", "wxapp", api, None, HandoffRelay(None), deadline_s=deadline, state=state)


async def test_retries_reaching_two_replicas_are_processed_and_answered_once(wechat_api, shared):
    calls: List[str] = []
    first, second = replica(wechat_api, shared(), 2.0), replica(wechat_api, shared(), 2.0)
    answers = await asyncio.gather(*(wechat._answer(MESSAGE, bot(0.2, calls)) for wechat in (first, second) * 2))
    assert calls == ["交话费"]
    assert sorted(answers) == ["", "", "", "请选择支付方式：\n· 微信\n· 支付宝"]
    await asyncio.sleep(0.1)
    assert wechat_api.sent == []


async def test_a_slow_answer_is_sent_once_when_the_retry_went_to_the_other_replica(wechat_api, shared):
    calls: List[str] = []
    first, second = replica(wechat_api, shared(), 0.05), replica(wechat_api, shared(), 0.05)
    assert await first._answer(MESSAGE, bot(0.3, calls)) == ""
    assert await second._answer(MESSAGE, bot(0.3, calls)) == ""  # WeChat's retry, elsewhere
    await asyncio.sleep(0.6)
    assert calls == ["交话费"]
    assert [m["text"]["content"] for m in wechat_api.sent] == ["请选择支付方式：\n· 微信\n· 支付宝"]


async def test_a_retry_waiting_on_the_other_replica_answers_passively(wechat_api, shared):
    calls: List[str] = []
    first, second = replica(wechat_api, shared(), 0.1), replica(wechat_api, shared(), 1.0)
    assert await first._answer(MESSAGE, bot(0.3, calls)) == ""  # WeChat gave up on the first delivery
    assert await second._answer(MESSAGE, bot(0.3, calls)) == "请选择支付方式：\n· 微信\n· 支付宝"
    await asyncio.sleep(0.1)
    assert calls == ["交话费"] and wechat_api.sent == []


async def test_replicas_share_one_access_token_and_renew_it_once(wechat_api, shared):
    apis = [CustomerServiceApi(wechat_api.url, AccessToken("wxapp", "app-secret", shared())) for _ in range(3)]
    await asyncio.gather(*(api.send_text("o_1", f"消息{i}") for i, api in enumerate(apis * 3)))
    assert wechat_api.tokens_issued == 1
    wechat_api.expire_next = True
    await apis[0].send_text("o_1", "过期之后")
    await apis[1].send_text("o_1", "另一个副本")
    assert wechat_api.tokens_issued == 2
    assert [m["token"] for m in wechat_api.sent[-2:]] == ["token-2", "token-2"]
    for api in apis:
        await api.close()
