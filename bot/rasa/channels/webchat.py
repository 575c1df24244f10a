"""The web chat widget's channel: Rasa's socket.io protocol, with server-assigned sessions.

credentials.yml: `bot.rasa.channels.webchat.WebchatInput` (`session_secret`, `cors_allowed_origins`).
The widget asks for a session (`session_request`); the server answers `session_confirm` with the
id it signed (bot/rasa/channels/sessions.py): the one the browser kept if it is genuine, a new one
otherwise. The socket then speaks for that conversation only: the session id a browser puts in a
message is ignored. Messages go through the handoff relay, and the handoff delivery can push to a
conversation (`push_output`) because every socket joins the room of its conversation. With
`redis_url` (production profile) the rooms span the replicas (bot/rasa/channels/socketio_redis.py); the
socket itself, and which conversation it speaks for, stay with the replica it connected to (the
load balancer keeps a browser on one replica). Each message's metadata carries the address the
socket connected from (`client_address`, bot/rasa/channels/client_address.py).

Beyond Rasa's `bot_uttered`, the widget hears `handoff_state` (`{"state": "queued" | "agent" | "bot",
"agent_name"?, "notice"?}`, bot/rasa/channels/handoff_output.py) when the conversation goes to the
queue, an agent takes it, the agent hands it back, and after each message the customer sends while
it is with the agents; an agent's own messages carry `agent_name`.
"""

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.rasa.channels.client_address import environ_address, with_client_address
from bot.rasa.channels.guard import MessageGuard, guard_from_credentials
from bot.rasa.channels.handoff_output import handoff_state
from bot.rasa.channels.relay import HandoffRelay
from bot.rasa.channels.rest import relay_from_credentials
from bot.rasa.channels.sessions import session_for
from bot.rasa.channels.socketio_redis import JsonRedisManager

logger = logging.getLogger(__name__)


def relayed_state(relayed: Dict[str, Any]) -> Dict[str, Any]:
    """The handoff state after a message went to the agents (the handoff service's answer)."""
    if relayed.get("status") == "taken":
        return handoff_state("agent", relayed.get("agent_name"))
    return handoff_state("queued")


class WebchatOutput(SocketIOOutput):
    """Rasa's socket.io output, with the widget's handoff events (bot/rasa/channels/handoff_output.py)."""

    async def send_handoff_state(self, recipient_id: Text, state: Dict[str, Any]) -> None:
        await self.sio.emit("handoff_state", state, room=recipient_id)

    async def send_agent_message(self, recipient_id: Text, text: Text, agent_name: Text) -> None:
        await self._send_message(recipient_id, {"text": text, "agent_name": agent_name})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """A handoff state an action sent (actions/handoff.py) is the widget's event; other custom
        payloads reach it as `{"custom": ...}` (Rasa's own would pass them as emit's arguments)."""
        state = json_message.get("handoff")
        if isinstance(state, dict) and len(json_message) == 1:
            await self.send_handoff_state(recipient_id, state)
        else:
            await self._send_message(recipient_id, {"custom": json_message})


class WebchatInput(InputChannel):
    def __init__(
        self,
        secret: str,
        origins: List[str],
        relay: HandoffRelay,
        path: str = "/socket.io",
        redis_url: str = "",
        redis_prefix: str = "telebot",
        guard: Optional[MessageGuard] = None,
    ) -> None:
        self.secret = secret
        self.origins = origins
        self.relay = relay
        self.path = path
        self.redis_url = redis_url
        self.redis_prefix = redis_prefix
        self.guard = guard or guard_from_credentials(None)
        self.sio: Optional[AsyncServer] = None
        self._senders: Dict[str, str] = {}  # socket id -> conversation id
        self._addresses: Dict[str, str] = {}  # socket id -> the customer's network address

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebchatInput":
        credentials = credentials or {}
        secret = credentials.get("session_secret") or ""
        if len(secret) < 16:
            cls.raise_missing_credentials_exception()
        origins = credentials.get("cors_allowed_origins") or []
        if isinstance(origins, str):
            origins = [origin.strip() for origin in origins.split(",") if origin.strip()]
        return cls(
            secret,
            origins,
            relay_from_credentials(credentials),
            redis_url=credentials.get("redis_url") or "",
            redis_prefix=credentials.get("redis_prefix") or "telebot",
            guard=guard_from_credentials(credentials),
        )

    def push_output(self, sender_id: str) -> Optional[OutputChannel]:
        """Reaches every open socket of the conversation (used by the handoff delivery)."""
        return WebchatOutput(self.sio, "bot_uttered") if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        manager = JsonRedisManager(self.redis_url, channel=f"{self.redis_prefix}:socketio") if self.redis_url else None
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origins, client_manager=manager)
        blueprint = SocketBlueprint(sio, self.path, "webchat", __name__)
        self.sio = sio

        @blueprint.listener("before_server_start")
        async def bind(app: Any, _loop: Any) -> None:
            self.relay.bind(app)
            self.guard.bind(app)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            self._addresses[sid] = environ_address(environ)
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self._senders.pop(sid, None)
            self._addresses.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Optional[Dict]) -> None:
            kept = data.get("session_id") if isinstance(data, dict) else None
            session_id, sender_id = session_for(self.secret, kept)
            old = self._senders.get(sid)
            if old and old != sender_id:
                sio.leave_room(sid, old)
            self._senders[sid] = sender_id
            sio.enter_room(sid, sender_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Optional[Dict]) -> None:
            sender_id = self._senders.get(sid)
            text = data.get("message") if isinstance(data, dict) else None
            if sender_id is None or not isinstance(text, str):
                return  # no session yet (the widget asks for one first), or not a message at all
            output = WebchatOutput(sio, "bot_uttered")
            message = UserMessage(
                text,
                output,
                sender_id,
                input_channel=self.name(),
                metadata=with_client_address(None, self._addresses.get(sid, "")),
            )

            async def handle(checked: UserMessage) -> None:
                relayed = await self.relay.handle(checked, on_new_message)
                if relayed is not None:  # with the agents: no answer from the bot is coming
                    await output.send_handoff_state(sender_id, relayed_state(relayed))

            await self.guard.handle(message, handle)

        return blueprint
