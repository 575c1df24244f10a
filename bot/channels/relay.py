"""The channel-side half of the human handoff.

Rasa 3.6's MessageProcessor records a message of a paused conversation in the tracker but never
answers it. Our channels wrap Rasa's message handler with `HandoffRelay.handle`: the message still
goes through Rasa (so it is parsed and recorded in the tracker), and when the conversation was
paused for an agent it is also relayed to the handoff service, which shows it on the agent's
console. Channels that cannot be pushed to (REST) collect what is waiting for the customer (agent
replies, the bot's words after a hand-back) with the customer's next message.

What is relayed is masked first (bot/privacy.py: ID and bank-card numbers, 6-digit runs that may
be a password; phone numbers as 138****8000): the agent never needs them, and the handoff
service masks again on receipt.
"""

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.privacy import mask_personal_data
from bot.tracker_store import tracker_handoff_flags

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]


class HandoffClient:
    """The Rasa process's client of the handoff service (relay and outbox)."""

    def __init__(self, url: str, token: str) -> None:
        self._url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=aiohttp.ClientTimeout(total=5))
        return self._session

    async def relay(self, sender_id: str, text: str, intent: Optional[str], confidence: Optional[float]) -> bool:
        body = {"sender_id": sender_id, "text": mask_personal_data(text), "intent": intent, "confidence": confidence}
        async with self._client().post(f"{self._url}/v1/relay", json=body) as response:
            response.raise_for_status()
            return bool((await response.json())["relayed"])

    async def outbox(self, sender_id: str) -> List[Dict[str, Any]]:
        async with self._client().get(f"{self._url}/v1/outbox/{sender_id}") as response:
            response.raise_for_status()
            return (await response.json())["messages"]


class HandoffRelay:
    def __init__(self, client: Optional[HandoffClient]) -> None:
        self.client = client
        self.app: Any = None  # the Sanic app, bound when the server starts

    def bind(self, app: Any) -> None:
        self.app = app

    async def _handoff_state(self, sender_id: str) -> Tuple[bool, bool]:
        """(paused for an agent, handed back since the customer's last message): asked of every
        message, so from the event types where the store can tell (bot/tracker_store.py; measured:
        the whole tracker read and replayed here was a tenth of a replica's CPU per message)."""
        store = self.app.ctx.agent.tracker_store
        quick = getattr(store, "handoff_state", None)  # FailSafeTrackerStore's, from bot/rasa_patches.py
        flags = await quick(sender_id) if quick is not None else None
        if flags is not None:
            return flags
        tracker = await store.retrieve(sender_id)
        return (False, False) if tracker is None else tracker_handoff_flags(tracker)

    async def handle(self, message: UserMessage, on_new_message: Handler) -> None:
        client = self.client
        if client is None or self.app is None:
            await on_new_message(message)
            return
        paused, handed_back = await self._handoff_state(message.sender_id)
        await on_new_message(message)  # parsed and recorded; answered only if not paused
        if paused:
            await self._relay(client, message)
        # Only then can something be waiting: an agent's reply, or the bot's words at the hand-back.
        if (paused or handed_back) and isinstance(message.output_channel, CollectingOutputChannel):
            await self._collect_waiting(client, message, message.output_channel)

    async def _relay(self, client: HandoffClient, message: UserMessage) -> None:
        tracker = await self.app.ctx.agent.tracker_store.retrieve(message.sender_id)
        latest = tracker.latest_message if tracker is not None else None
        intent = (latest.intent or {}) if latest is not None else {}
        try:
            relayed = await client.relay(message.sender_id, message.text or "", intent.get("name"),
                                              intent.get("confidence"))
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # The message is in the tracker; the agent sees it when reopening the case.
            logger.warning("could not relay a message to the agent console: %r", error)
            return
        if not relayed:
            logger.warning("conversation %s is paused but has no open case", message.sender_id)

    async def _collect_waiting(self, client: HandoffClient, message: UserMessage,
                               collector: CollectingOutputChannel) -> None:
        try:
            waiting = await client.outbox(message.sender_id)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("could not fetch waiting messages: %r", error)
            return
        # What was waiting was said before this message's answer.
        collector.messages[:0] = [{"recipient_id": message.sender_id, **item} for item in waiting]
