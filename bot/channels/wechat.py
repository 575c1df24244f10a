"""WeChat Official Account (公众号) channel: the server side of WeChat's message protocol.

credentials.yml: `bot.channels.wechat.WeChatInput` (token, app_id, app_secret, encoding_aes_key,
api_url). GET /webhooks/wechat/webhook answers WeChat's URL verification; POST takes messages in
plain or safe (AES) mode. WeChat gives up after 5 s and retries up to three times, so:
- every message is processed once, whatever the retries (by MsgId; events by sender + time); a
  retry waits for the same processing;
- the answer goes back as a passive reply when the bot is done within REPLY_DEADLINE_S, otherwise
  WeChat gets `success` at once and the answer follows through the customer-service message API
  (one `AccessToken` owner per process, refreshed before it expires and when WeChat says it is
  invalid).
Stale timestamps and a nonce reused for another message are refused. Text goes to Rasa as
`wx:<openid>`; a new follower gets the greeting; other message types get a polite explanation.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.relay import HandoffRelay
from bot.channels.rest import relay_from_credentials
from bot.channels.wechat_protocol import (
    Crypto,
    Message,
    ProtocolError,
    message_from,
    parse_xml,
    signature_matches,
    text_reply,
)

logger = logging.getLogger(__name__)

PREFIX = "wx:"
REPLY_DEADLINE_S = 4.0  # WeChat waits 5 s
MAX_CLOCK_SKEW_S = 300
# Messages (and their nonces) are remembered for as long as their timestamp is accepted, in both
# directions, so a replay is either recognised as a repeat or refused as stale: never run twice.
REMEMBER_S = 2 * MAX_CLOCK_SKEW_S + 60
INVALID_TOKEN = {40001, 40014, 42001}
MAX_TEXT = 600


class AccessToken:
    """The single owner of the access_token in this process: fetched once, shared, refreshed early."""

    def __init__(self, api_url: str, app_id: str, app_secret: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.api_url, self.app_id, self.app_secret, self.clock = api_url, app_id, app_secret, clock
        self._token: Optional[str] = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self, session: aiohttp.ClientSession, *, refresh: bool = False) -> str:
        async with self._lock:
            if refresh or self._token is None or self.clock() >= self._expires:
                params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret}
                async with session.get(f"{self.api_url}/cgi-bin/token", params=params) as answer:
                    body = await answer.json(content_type=None)
                if "access_token" not in body:
                    raise RuntimeError(f"WeChat refused an access token: {body.get('errcode')} {body.get('errmsg')}")
                self._token = body["access_token"]
                self._expires = self.clock() + int(body.get("expires_in", 7200)) - 300  # renew 5 minutes early
            return self._token


class CustomerServiceApi:
    """客服消息接口: messages sent after the 5-second window."""

    def __init__(self, api_url: str, token: AccessToken) -> None:
        self.api_url = api_url
        self.token = token
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self._session

    async def send_text(self, openid: str, text: str) -> None:
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        for attempt in (1, 2):
            access_token = await self.token.get(self._client(), refresh=attempt == 2)
            async with self._client().post(
                f"{self.api_url}/cgi-bin/message/custom/send", params={"access_token": access_token}, json=body
            ) as answer:
                result = await answer.json(content_type=None)
            code = int(result.get("errcode", 0))
            if code == 0:
                return
            if code not in INVALID_TOKEN:
                break
        logger.error("WeChat did not take a customer-service message: %s", result)


def render(messages: List[Dict[str, Any]]) -> str:
    """Bot messages as one WeChat text: buttons become the words to reply with."""
    parts = []
    for message in messages:
        text = message.get("text") or ""
        buttons = message.get("buttons") or message.get("quick_replies") or []
        if buttons:
            text += "\n" + "\n".join(f"· {button.get('title', '')}" for button in buttons)
        if text.strip():
            parts.append(text.strip())
    return "\n\n".join(parts)[:MAX_TEXT * 4]


class WeChatOutput(OutputChannel):
    """Pushes to a customer through the customer-service API (used by the handoff delivery)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, api: CustomerServiceApi) -> None:
        self.api = api

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.api.send_text(recipient_id[len(PREFIX):], text)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, render([{"text": text, "buttons": buttons}]))


@dataclass
class Processing:
    task: "asyncio.Task[str]"
    replied: bool = False  # the answer went back (passively or through the API): never twice
    waiting: int = 0  # requests (WeChat's retries included) waiting to answer passively
    expires: float = field(default_factory=lambda: time.monotonic() + REMEMBER_S)


class WeChatInput(InputChannel):
    def __init__(self, token: str, app_id: str, api: CustomerServiceApi, crypto: Optional[Crypto],
                 relay: HandoffRelay, deadline_s: float = REPLY_DEADLINE_S) -> None:
        self.token, self.app_id, self.api, self.crypto, self.relay = token, app_id, api, crypto, relay
        self.deadline_s = deadline_s
        self._processing: Dict[str, Processing] = {}
        self._nonces: Dict[str, str] = {}  # nonce -> the message it came with

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        credentials = credentials or {}
        token, app_id, secret = (credentials.get(key) or "" for key in ("token", "app_id", "app_secret"))
        if not token or not app_id or not secret:
            cls.raise_missing_credentials_exception()
        api_url = (credentials.get("api_url") or "https://api.weixin.qq.com").rstrip("/")
        aes_key = credentials.get("encoding_aes_key") or ""
        crypto = Crypto(token, aes_key, app_id) if aes_key else None
        api = CustomerServiceApi(api_url, AccessToken(api_url, app_id, secret))
        return cls(token, app_id, api, crypto, relay_from_credentials(credentials))

    def push_output(self, sender_id: str) -> Optional[OutputChannel]:
        return WeChatOutput(self.api)

    def _fresh(self, timestamp: str) -> bool:
        return timestamp.isdigit() and abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW_S

    def _forget_old(self) -> None:
        now = time.monotonic()
        expired = {key for key, entry in self._processing.items() if entry.expires < now}
        if expired:
            for key in expired:
                del self._processing[key]
            self._nonces = {nonce: key for nonce, key in self._nonces.items() if key not in expired}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("wechat_webhook", __name__)
        blueprint.listener("before_server_start")(lambda app, _loop: self.relay.bind(app))

        @blueprint.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            args = request.args
            timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
            if not signature_matches(args.get("signature", ""), self.token, timestamp, nonce):
                return response.text("forbidden", status=403)
            return response.text(args.get("echostr", ""))

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            args = request.args
            timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
            if not self._fresh(timestamp) or not signature_matches(args.get("signature", ""), self.token, timestamp, nonce):
                return response.text("forbidden", status=403)
            safe = args.get("encrypt_type") == "aes"
            try:
                if safe:
                    if self.crypto is None:
                        return response.text("safe mode is not configured", status=400)
                    body = self.crypto.decrypt_request(request.body, args.get("msg_signature", ""), timestamp, nonce)
                else:
                    body = request.body
                message = message_from(parse_xml(body))
            except PermissionError:
                return response.text("forbidden", status=403)
            except ProtocolError as error:
                return response.text(f"bad request: {error}", status=400)
            self._forget_old()
            key = message.dedupe_key
            if self._nonces.setdefault(nonce, key) != key:
                return response.text("forbidden: nonce reused", status=403)  # a replay with another body
            reply = await self._answer(message, on_new_message)
            if not reply:
                return response.text("success")
            xml = text_reply(message, reply)
            return response.text(self.crypto.encrypt_reply(xml, timestamp, nonce) if safe else xml,
                                 content_type="application/xml")

        return blueprint

    async def _answer(self, message: Message, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str:
        """The passive reply, or "" when the answer goes (or went) another way."""
        entry = self._processing.get(message.dedupe_key)
        if entry is None:
            entry = Processing(asyncio.ensure_future(self._process(message, on_new_message)))
            self._processing[message.dedupe_key] = entry
            entry.task.add_done_callback(lambda task, entry=entry: self._send_late(message, entry))
        entry.waiting += 1
        try:
            text = await asyncio.wait_for(asyncio.shield(entry.task), self.deadline_s)
        except asyncio.TimeoutError:
            return ""  # `success` now; _send_late delivers the answer
        except Exception:  # the bot failed: WeChat must still get `success`, never a 500
            logger.exception("processing a WeChat message failed")
            return ""
        finally:
            entry.waiting -= 1
        if entry.replied:
            return ""
        entry.replied = True
        return text

    def _send_late(self, message: Message, entry: Processing) -> None:
        async def send() -> None:
            await asyncio.sleep(0)
            if entry.waiting or entry.replied:
                return  # a request is there to answer passively
            if entry.task.cancelled() or entry.task.exception() or not entry.task.result():
                return
            entry.replied = True
            await self.api.send_text(message.from_user, entry.task.result())

        asyncio.ensure_future(send())

    async def _process(self, message: Message, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str:
        if message.msg_type == "text":
            text = message.content.strip()[:MAX_TEXT]
        elif message.msg_type == "event" and message.event == "subscribe":
            text = "/greet"  # a new follower is welcomed
        elif message.msg_type == "event":
            return ""  # unsubscribe, menu views...: nothing to say
        else:
            text = "/unsupported_message"  # image, voice, location...: explained politely
        if not text:
            return ""
        collector = CollectingOutputChannel()
        await self.relay.handle(UserMessage(text, collector, PREFIX + message.from_user, input_channel=self.name()),
                                on_new_message)
        return render(collector.messages)
