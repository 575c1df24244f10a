"""Our customer channels on a real Rasa server app, built by Rasa's own `configure_app` with our
patches installed (bot/rasa/patches.py), served on a free port: request limits before buffering, a
JSON reason for every refusal, WeChat's safe mode, and the customer's address in every message."""

import asyncio
import base64
import json
import time
from typing import Any, AsyncIterator, List

import aiohttp
import pytest
import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.core.kv import MemoryKV
from bot.load.targets import free_port
from bot.rasa import patches as rasa_patches
from bot.rasa.channels.guard import MessageGuard, RateLimiter
from bot.rasa.channels.relay import HandoffRelay
from bot.rasa.channels.rest import RelayRestInput
from bot.rasa.channels.webchat import WebchatInput
from bot.rasa.wechat.channel import PLAIN_REFUSED, WeChatInput
from bot.rasa.wechat.protocol import Crypto, parse_xml, signature

REST_TOKEN, API_TOKEN, SESSION_SECRET = "r" * 32, "a" * 32, "s" * 32
WX_TOKEN, WX_APP, AES_KEY = "wxtoken", "wxapp", base64.b64encode(b"k" * 32).decode().rstrip("=")


class Agent:
    """Where the channels hand messages on (Rasa's Agent.handle_message), recording them."""

    domain = None
    tracker_store = None

    def __init__(self) -> None:
        self.messages: List[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, "好的")


def guard() -> MessageGuard:
    return MessageGuard(RateLimiter(MemoryKV(), "t", limit=1000))


def wechat_channel(allow_plain: bool) -> WeChatInput:
    channel = WeChatInput.from_credentials(
        {
            "token": WX_TOKEN,
            "app_id": WX_APP,
            "app_secret": "secret",
            "encoding_aes_key": AES_KEY,
            "api_url": "http://127.0.0.1:9",
            "allow_plain_messages": allow_plain,
        }
    )
    channel.guard = guard()
    return channel


async def serve(channels: List[Any]) -> AsyncIterator[Any]:
    import rasa.core.run

    Sanic.test_mode = True  # several apps of the same name in one process
    rasa_patches.install()
    port = free_port()
    app = rasa.core.run.configure_app(channels, auth_token=API_TOKEN, enable_api=True, port=port)
    agent = Agent()
    app.ctx.agent = agent
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}", agent
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


@pytest.fixture
async def rasa_server() -> AsyncIterator[Any]:
    channels = [
        RelayRestInput(HandoffRelay(None), REST_TOKEN, guard()),
        wechat_channel(allow_plain=False),
        WebchatInput(SESSION_SECRET, ["*"], HandoffRelay(None), guard=guard()),
    ]
    async for served in serve(channels):
        yield served


async def request(method: str, url: str, body: bytes = b"", headers: Any = None) -> Any:
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        async with session.request(method, url, data=body, headers=headers or {}) as answer:
            text = await answer.text()
            return answer.status, answer.headers.get("Content-Type", ""), text


REST = "/webhooks/rest/webhook"
AUTH = {"Authorization": f"Bearer {REST_TOKEN}", "Content-Type": "application/json"}
NESTED = b'{"sender": "c1", "message": "hi", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"


async def test_a_rest_message_carries_the_client_address(rasa_server):
    url, agent = rasa_server
    status, _, text = await request(
        "POST", url + REST, json.dumps({"sender": "c1", "message": "查话费"}).encode(), AUTH
    )
    assert (status, json.loads(text)) == (200, [{"recipient_id": "c1", "text": "好的"}])
    # From 127.0.0.1 (our nginx, in production), the last X-Forwarded-For entry is the one nginx added.
    forwarded = {**AUTH, "X-Forwarded-For": "10.9.9.9, 203.0.113.7"}
    await request("POST", url + REST, json.dumps({"sender": "c1", "message": "查流量"}).encode(), forwarded)
    assert [(m.text, m.metadata) for m in agent.messages] == [
        ("查话费", {"client_address": "127.0.0.1"}),
        ("查流量", {"client_address": "203.0.113.7"}),
    ]


@pytest.mark.parametrize(
    "path, headers",
    [
        (REST, AUTH),  # our REST channel: was a 500 (RecursionError)
        ("/model/parse", {"Authorization": f"Bearer {API_TOKEN}"}),  # Rasa's own API
        ("/conversations/c1/tracker/events", {}),  # before authentication, too
        ("/webhooks/wechat/webhook", {}),
    ],
)
async def test_deeply_nested_json_gets_a_400_with_a_reason_on_every_route(rasa_server, path, headers):
    url, agent = rasa_server
    status, content_type, text = await request("POST", url + path, NESTED, headers)
    assert (status, content_type, json.loads(text)["error"]) == (400, "application/json", "invalid_input")
    assert agent.messages == []


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "identity, gzip", "x-anything"])
async def test_a_compressed_body_gets_a_415(rasa_server, encoding):
    url, agent = rasa_server
    status, _, text = await request(
        "POST", url + REST, b'{"sender": "c1", "message": "hi"}', {**AUTH, "Content-Encoding": encoding}
    )
    assert (status, json.loads(text)["error"]) == (415, "unsupported_content_encoding")
    assert agent.messages == []


async def test_identity_encoding_is_accepted(rasa_server):
    url, _ = rasa_server
    status, _, _ = await request(
        "POST", url + REST, b'{"sender": "c1", "message": "hi"}', {**AUTH, "Content-Encoding": "identity"}
    )
    assert status == 200


async def test_a_body_above_the_limit_is_refused_before_it_is_buffered(rasa_server):
    url, _ = rasa_server
    host, port = url[len("http://") :].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    # Only the headers are sent: Sanic must answer from Content-Length, not wait for 2 MiB.
    writer.write(
        f"POST {REST} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\n\r\n".encode()
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(1000), 5)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413")
    assert answer.endswith(b'{"error":"body_too_large","message":"the request body may have at most 1048576 bytes"}')


async def test_a_chunked_body_above_the_limit_is_refused_as_it_arrives(rasa_server):
    url, agent = rasa_server
    host, port = url[len("http://") :].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST {REST} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {REST_TOKEN}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
    )
    chunk = b"x" * 65536
    try:
        for _ in range(20):  # 1.25 MiB, never finished
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
    except ConnectionError:
        pass  # the server may close before the last chunks
    answer = await asyncio.wait_for(reader.read(1000), 5)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413")
    assert agent.messages == []


def wechat_query(**extra: str) -> str:
    timestamp, nonce = str(int(time.time())), f"n{time.monotonic_ns()}"
    params = {"timestamp": timestamp, "nonce": nonce, "signature": signature(WX_TOKEN, timestamp, nonce), **extra}
    return "&".join(f"{key}={value}" for key, value in params.items())


def text_xml(content: str, msg_id: int) -> str:
    return (
        f"<xml><ToUserName>gh</ToUserName><FromUserName>o_customer</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType>"
        f"<Content>{content}</Content><MsgId>{msg_id}</MsgId></xml>"
    )


async def post_safe(url: str, xml: str) -> Any:
    crypto = Crypto(WX_TOKEN, AES_KEY, WX_APP)
    timestamp, nonce = str(int(time.time())), f"n{time.monotonic_ns()}"
    encrypted = crypto.encrypt(xml)
    query = (
        f"timestamp={timestamp}&nonce={nonce}&signature={signature(WX_TOKEN, timestamp, nonce)}"
        f"&encrypt_type=aes&msg_signature={signature(WX_TOKEN, timestamp, nonce, encrypted)}"
    )
    status, _, text = await request(
        "POST",
        f"{url}/webhooks/wechat/webhook?{query}",
        f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode(),
    )
    if status == 200 and text != "success":
        fields = parse_xml(text.encode())
        text = parse_xml(crypto.decrypt(fields["Encrypt"]))["Content"]
    return status, text


async def test_wechat_refuses_plain_messages_when_safe_mode_is_configured(rasa_server):
    url, agent = rasa_server
    status, _, text = await request(
        "POST", f"{url}/webhooks/wechat/webhook?{wechat_query()}", text_xml("查话费", 1).encode()
    )
    assert (status, text) == (403, PLAIN_REFUSED)
    assert agent.messages == []
    assert await post_safe(url, text_xml("查话费", 2)) == (200, "好的")
    assert [(m.text, m.sender_id, m.metadata) for m in agent.messages] == [
        ("查话费", "wx:o_customer", None)
    ]  # no address: every WeChat message comes from WeChat's servers


async def test_wechat_url_verification_still_works_with_safe_mode(rasa_server):
    url, _ = rasa_server
    status, _, text = await request("GET", f"{url}/webhooks/wechat/webhook?{wechat_query(echostr='e-123')}")
    assert (status, text) == (200, "e-123")


async def test_wechat_compatibility_mode_takes_plain_messages_too():
    async for url, agent in serve([wechat_channel(allow_plain=True)]):
        status, _, text = await request(
            "POST", f"{url}/webhooks/wechat/webhook?{wechat_query()}", text_xml("查话费", 3).encode()
        )
        assert status == 200 and parse_xml(text.encode())["Content"] == "好的"
        assert await post_safe(url, text_xml("查流量", 4)) == (200, "好的")
        assert [m.text for m in agent.messages] == ["查话费", "查流量"]


async def test_a_web_chat_message_carries_the_client_address(rasa_server):
    url, agent = rasa_server
    client = socketio.AsyncClient()
    confirmed = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda session_id: confirmed.set_result(session_id))
    await client.connect(
        url, socketio_path="/socket.io", transports=["websocket"], headers={"X-Forwarded-For": "198.51.100.4"}
    )
    try:
        await client.emit("session_request", {})
        await asyncio.wait_for(confirmed, 5)
        await client.emit("user_uttered", {"message": "查话费", "session_id": "ignored"})
        for _ in range(50):
            if agent.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        await client.disconnect()
    assert [(m.text, m.input_channel, m.metadata) for m in agent.messages] == [
        ("查话费", "socketio", {"client_address": "198.51.100.4"})
    ]
