"""The channel-side half of the human handoff.

Rasa 3.6's MessageProcessor records a message of a paused conversation in the tracker but never
answers it. Our channels wrap Rasa's message handler with `HandoffRelay.handle`: the message still
goes through Rasa (so it is parsed and recorded in the tracker), and when the conversation was
paused for an agent it is also relayed to the handoff service (bot/clients/desk.py), which shows it on the agent's
console. Channels that cannot be pushed to (REST) collect what is waiting for the customer (agent
replies, the bot's words after a hand-back) with the customer's next message.

What is relayed is masked first (bot/core/privacy.py: ID and bank-card numbers, 6-digit runs that may
be a password; phone numbers as 138****8000): the agent never needs them, and the handoff
service masks again on receipt.
"""

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.clients.base import Rejected, Unavailable
from bot.clients.desk import DeskClient
from bot.rasa.tracker_store import tracker_handoff_flags

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]


class HandoffRelay:
    def __init__(self, client: Optional[DeskClient]) -> None:
        self.client = client
        self.app: Any = None  # the Sanic app, bound when the server starts

    def bind(self, app: Any) -> None:
        self.app = app

    async def _handoff_state(self, sender_id: str) -> Tuple[bool, bool]:
        """(paused for an agent, handed back since the customer's last message): asked of every
        message, so from the event types where the store can tell (bot/rasa/tracker_store.py; measured:
        the whole tracker read and replayed here was a tenth of a replica's CPU per message)."""
        store = self.app.ctx.agent.tracker_store
        quick = getattr(store, "handoff_state", None)  # FailSafeTrackerStore's, from bot/rasa/patches.py
        flags = await quick(sender_id) if quick is not None else None
        if flags is not None:
            return flags
        tracker = await store.retrieve(sender_id)
        return (False, False) if tracker is None else tracker_handoff_flags(tracker)

    async def handle(self, message: UserMessage, on_new_message: Handler) -> Optional[Dict[str, Any]]:
        """The handoff service's answer when the message went to the agents (its case's `status`
        and `agent_name`), else None: the bot answered it."""
        client = self.client
        if client is None or self.app is None:
            await on_new_message(message)
            return None
        paused, handed_back = await self._handoff_state(message.sender_id)
        await on_new_message(message)  # parsed and recorded; answered only if not paused
        relayed = await self._relay(client, message) if paused else None
        # Only then can something be waiting: an agent's reply, or the bot's words at the hand-back.
        if (paused or handed_back) and isinstance(message.output_channel, CollectingOutputChannel):
            await self._collect_waiting(client, message, message.output_channel)
        return relayed

    async def _relay(self, client: DeskClient, message: UserMessage) -> Optional[Dict[str, Any]]:
        tracker = await self.app.ctx.agent.tracker_store.retrieve(message.sender_id)
        latest = tracker.latest_message if tracker is not None else None
        intent = (latest.intent or {}) if latest is not None else {}
        try:
            relayed = await client.relay(
                message.sender_id, message.text or "", intent.get("name"), intent.get("confidence")
            )
        except (Unavailable, Rejected) as error:
            # The message is in the tracker; the agent sees it when reopening the case.
            logger.warning("could not relay a message to the agent console: %s", error)
            return None
        if not relayed.get("relayed"):
            logger.warning("conversation %s is paused but has no open case", message.sender_id)
            return None
        return relayed

    async def _collect_waiting(
        self, client: DeskClient, message: UserMessage, collector: CollectingOutputChannel
    ) -> None:
        try:
            waiting = await client.outbox(message.sender_id)
        except (Unavailable, Rejected) as error:
            logger.warning("could not fetch waiting messages: %s", error)
            return
        # What was waiting was said before this message's answer.
        collector.messages[:0] = [{"recipient_id": message.sender_id, **item} for item in waiting]
