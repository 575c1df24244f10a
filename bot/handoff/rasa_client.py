"""The handoff service's calls to the Rasa server: deliver to the customer, and parse for suggestions.

Both go to Rasa's handoff channel (bot/channels/handoff.py) with the delivery token
(HANDOFF_DELIVERY_TOKEN) in a header; the service holds no token of Rasa's HTTP API."""

import asyncio
import logging
from typing import Any, Dict, Optional

import aiohttp

from bot.handoff.settings import HandoffSettings

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not take the delivery; it will be retried."""


class RasaClient:
    def __init__(self, settings: HandoffSettings, session: Optional[aiohttp.ClientSession] = None) -> None:
        self._settings = settings
        self._session = session

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        return self._session

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self._settings.rasa_token}"}

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def deliver(self, payload: Dict[str, Any]) -> Dict[str, Any]:
        """Hand a message, a hand-back or a close to the Rasa side of the relay (bot/channels/handoff.py)."""
        url = f"{self._settings.rasa_url}/webhooks/handoff/deliver"
        try:
            async with self._client().post(url, json=payload, headers=self._headers()) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"delivery refused: HTTP {response.status} {await response.text()}")
                return await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(repr(error)) from error

    async def parse(self, text: str) -> Optional[Dict[str, Any]]:
        """Rasa's NLU result for a customer message, or None when Rasa cannot answer in time."""
        url = f"{self._settings.rasa_url}/webhooks/handoff/parse"
        try:
            async with self._client().post(
                url, json={"text": text}, headers=self._headers(), timeout=aiohttp.ClientTimeout(total=3),
            ) as response:
                return await response.json() if response.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.info("no suggestion: parse failed: %r", error)
            return None
