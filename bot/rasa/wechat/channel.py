"""WeChat Official Account (公众号) channel: the server side of WeChat's message protocol.

credentials.yml: `bot.rasa.wechat.channel.WeChatInput` (token, app_id, app_secret, encoding_aes_key,
api_url, allow_plain_messages). GET /webhooks/wechat/webhook answers WeChat's URL verification; POST
takes messages in safe (AES) mode when an EncodingAESKey is configured, in plain mode otherwise. With
a key, a plain POST (no `encrypt_type=aes`) is refused (403): plain mode signs only the token,
timestamp and nonce, not the body, so accepting it would let anyone who saw one signature send any
text. `allow_plain_messages: true` accepts plain messages as well, for the 兼容模式 (compatibility
mode) period of a switch to safe mode only. WeChat gives up after 5 s and retries up to three times, so:
- every message is processed once, whatever the retries (by MsgId; events by sender + time); a
  retry waits for the same processing;
- the answer goes back as a passive reply when the bot is done within REPLY_DEADLINE_S, otherwise
  WeChat gets `success` at once and the answer follows through the customer-service message API
  (one access_token for the account, renewed before it expires and when WeChat says it is invalid,
  by one owner at a time).
What this takes to remember (bot/rasa/wechat/state.py) is in the process, or with `redis_url`
(production profile) in Redis, shared by the replicas: a retry may reach another replica.
Stale timestamps and a nonce reused for another message are refused. Text goes to Rasa as
`wx:<openid>`; a new follower gets the greeting; other message types get a polite explanation.
Messages carry no `client_address` (bot/rasa/channels/client_address.py): the peer is always WeChat's
servers, so counting it as the customer's address would let a few failed verifications lock out
every follower. The openid (the conversation) is what the verification limits count.
"""

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.kv import kv_from_url
from bot.rasa.channels.guard import MessageGuard, guard_from_credentials
from bot.rasa.channels.relay import HandoffRelay
from bot.rasa.channels.rest import relay_from_credentials
from bot.rasa.wechat.api import AccessToken, CustomerServiceApi
from bot.rasa.wechat.messages import from_agent, render
from bot.rasa.wechat.protocol import (
    Crypto,
    Message,
    ProtocolError,
    message_from,
    parse_xml,
    signature_matches,
    text_reply,
)
from bot.rasa.wechat.state import MAX_CLOCK_SKEW_S, REMEMBER_S, WeChatState

logger = logging.getLogger(__name__)

PREFIX = "wx:"
REPLY_DEADLINE_S = 4.0  # WeChat waits 5 s
PLAIN_REFUSED = "forbidden: safe mode (encrypt_type=aes) is required, plain messages are refused"


class WeChatOutput(OutputChannel):
    """Pushes to a customer through the customer-service API (used by the handoff delivery)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, api: CustomerServiceApi) -> None:
        self.api = api

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.api.send_text(recipient_id[len(PREFIX) :], text)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, render([{"text": text, "buttons": buttons}]))

    async def send_agent_message(self, recipient_id: Text, text: Text, agent_name: Text) -> None:
        await self.send_text_message(recipient_id, from_agent(agent_name, text))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """WeChat text has no place for data (a handoff state, bot/rasa/channels/handoff_output.py):
        never pushed as JSON text, as Rasa's default would."""


class WeChatInput(InputChannel):
    def __init__(
        self,
        token: str,
        app_id: str,
        api: CustomerServiceApi,
        crypto: Optional[Crypto],
        relay: HandoffRelay,
        deadline_s: float = REPLY_DEADLINE_S,
        state: Optional[WeChatState] = None,
        guard: Optional[MessageGuard] = None,
        allow_plain: bool = False,
    ) -> None:
        self.token, self.app_id, self.api, self.crypto, self.relay = token, app_id, api, crypto, relay
        self.allow_plain = allow_plain or crypto is None  # without a key there is only plain mode
        self.guard = guard or guard_from_credentials(None)
        self.deadline_s = deadline_s
        self.state = state or api.token.state
        self._tasks: Dict[str, "asyncio.Task[str]"] = {}  # messages this process is processing

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
        state = WeChatState(
            kv_from_url(credentials.get("redis_url") or ""),
            f"{credentials.get('redis_prefix') or 'telebot'}:wx:{app_id}",
            REMEMBER_S,
        )
        api = CustomerServiceApi(api_url, AccessToken(app_id, secret, state))
        guard = guard_from_credentials(credentials)
        allow_plain = str(credentials.get("allow_plain_messages") or "").strip().lower() in ("true", "1", "yes")
        return cls(
            token,
            app_id,
            api,
            crypto,
            relay_from_credentials(credentials),
            state=state,
            guard=guard,
            allow_plain=allow_plain,
        )

    def push_output(self, sender_id: str) -> Optional[OutputChannel]:
        return WeChatOutput(self.api)

    def _fresh(self, timestamp: str) -> bool:
        return timestamp.isdigit() and abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW_S

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("wechat_webhook", __name__)

        @blueprint.listener("before_server_start")
        async def bind(app: Any, _loop: Any) -> None:
            self.relay.bind(app)
            self.guard.bind(app)

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
            if not self._fresh(timestamp) or not signature_matches(
                args.get("signature", ""), self.token, timestamp, nonce
            ):
                return response.text("forbidden", status=403)
            safe = args.get("encrypt_type") == "aes"
            if not safe and not self.allow_plain:
                return response.text(PLAIN_REFUSED, status=403)
            try:
                if safe:
                    crypto = self.crypto
                    if crypto is None:
                        return response.text("safe mode is not configured", status=400)
                    body = crypto.decrypt_request(request.body, args.get("msg_signature", ""), timestamp, nonce)
                else:
                    crypto, body = None, request.body
                message = message_from(parse_xml(body))
            except PermissionError:
                return response.text("forbidden", status=403)
            except ProtocolError as error:
                return response.text(f"bad request: {error}", status=400)
            if not await self.state.claim_nonce(nonce, message.dedupe_key):
                return response.text("forbidden: nonce reused", status=403)  # a replay with another body
            reply = await self._answer(message, on_new_message)
            if not reply:
                return response.text("success")
            xml = text_reply(message, reply)
            return response.text(
                crypto.encrypt_reply(xml, timestamp, nonce) if crypto is not None else xml,
                content_type="application/xml",
            )

        return blueprint

    async def _answer(self, message: Message, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str:
        """The passive reply, or "" when the answer goes (or went) another way.

        Of all deliveries of a message (WeChat's retries, on any replica) one processes it; each
        waits up to the deadline for the answer, and the first to see it replies passively. When
        none is left waiting, the answer goes through the customer-service API instead: whoever
        finishes last (the processing or the last waiter) sends it, and `claim_reply` makes sure
        it is sent once.
        """
        key = message.dedupe_key
        if await self.state.begin(key):
            task = asyncio.ensure_future(self._process_and_record(message, on_new_message))
            self._tasks[key] = task
            task.add_done_callback(lambda _task: self._tasks.pop(key, None))
        await self.state.waiting(key, +1)
        try:
            text = await self._wait_for_answer(key)
        finally:
            left = await self.state.waiting(key, -1)
        if text is None:  # not done in time: `success` now, the answer follows through the API
            if left == 0:  # it may have finished just now, after it saw us waiting
                asyncio.ensure_future(self._send_if_unanswered(message))
            return ""
        return text if text and await self.state.claim_reply(key) else ""

    async def _wait_for_answer(self, key: str) -> Optional[str]:
        task = self._tasks.get(key)
        if task is not None:  # processed here: wait for it
            try:
                return await asyncio.wait_for(asyncio.shield(task), self.deadline_s)
            except asyncio.TimeoutError:
                return None
        deadline = time.monotonic() + self.deadline_s
        while True:  # processed by another request or replica: its answer lands in the state
            text = await self.state.result(key)
            if text is not None or time.monotonic() >= deadline:
                return text
            await asyncio.sleep(0.05)

    async def _process_and_record(
        self, message: Message, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> str:
        try:
            text = await self._process(message, on_new_message)
        except Exception:  # the bot failed: WeChat must still get `success`, never a 500
            logger.exception("processing a WeChat message failed")
            text = ""
        await self.state.finish(message.dedupe_key, text)
        if await self.state.waiting(message.dedupe_key, 0) == 0:
            asyncio.ensure_future(self._send_if_unanswered(message))
        return text

    async def _send_if_unanswered(self, message: Message) -> None:
        text = await self.state.result(message.dedupe_key)
        if text and await self.state.claim_reply(message.dedupe_key):
            try:
                await self.api.send_text(message.from_user, text)
            except Exception:
                logger.exception("sending a WeChat customer-service message failed")

    async def _process(self, message: Message, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str:
        typed = message.msg_type == "text"
        if typed:
            text = message.content
        elif message.msg_type == "event" and message.event == "subscribe":
            text = "/greet"  # a new follower is welcomed
        elif message.msg_type == "event":
            return ""  # unsubscribe, menu views...: nothing to say
        else:
            text = "/unsupported_message"  # image, voice, location...: explained politely
        collector = CollectingOutputChannel()
        await self.guard.handle(
            UserMessage(text, collector, PREFIX + message.from_user, input_channel=self.name()),
            lambda checked: self.relay.handle(checked, on_new_message),
            typed=typed,
        )
        return render(collector.messages)
