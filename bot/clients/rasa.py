"""The handoff service's client of the Rasa server: deliver to the customer, and parse for suggestions.

Both go to Rasa's handoff channel (bot/rasa/channels/desk.py) with the delivery token
(HANDOFF_DELIVERY_TOKEN) as the Bearer token; the service holds no token of Rasa's HTTP API.
Errors as in bot/clients/base.py."""

import logging
from typing import Any, Dict, Optional

from bot.clients.base import JsonClient, Rejected, Unavailable

logger = logging.getLogger(__name__)

PARSE_TIMEOUT_S = 3.0  # a suggestion that comes later than this is of no use to the agent


class RasaClient(JsonClient):
    async def deliver(self, payload: Dict[str, Any]) -> Dict[str, Any]:
        """Hand a message, a hand-back or a close to the Rasa side of the relay (bot/rasa/channels/desk.py)."""
        return await self.request("POST", "/webhooks/handoff/deliver", json=payload)

    async def parse(self, text: str) -> Optional[Dict[str, Any]]:
        """Rasa's NLU result for a customer message, or None when Rasa cannot answer in time."""
        try:
            return await self.request("POST", "/webhooks/handoff/parse", json={"text": text}, timeout_s=PARSE_TIMEOUT_S)
        except (Unavailable, Rejected) as error:
            logger.info("no suggestion: parse failed: %s", error)
            return None
