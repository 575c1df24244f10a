"""The action server's client of the handoff service (bot/handoff): opening a case for an agent, and
keeping a ticket the operator backend could not take."""

import asyncio
from typing import Any, Dict, Optional

import aiohttp

from actions.settings import ActionSettings, load_settings


class DeskUnavailable(Exception):
    """The handoff service could not be reached or refused the case."""


class HandoffDesk:
    def __init__(self, settings: ActionSettings) -> None:
        self._settings = settings
        self._session: Optional[aiohttp.ClientSession] = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def open_case(self, case: Dict[str, Any]) -> Dict[str, Any]:
        """`{"status": "queued", "position", "wait_minutes", "case"}` or `{"status": "unavailable", "why"}`."""
        return await self._post("/v1/cases", case)

    async def queue_ticket(self, sender_id: str, channel: str, ticket: Dict[str, Any]) -> Dict[str, Any]:
        """Keep a ticket the operator backend could not take; the handoff service submits it once the
        backend answers and tells the customer its number. `{"id", "status": "pending"}`."""
        return await self._post("/v1/pending-tickets", {"sender_id": sender_id, "channel": channel, **ticket})

    async def _post(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        if not self._settings.handoff_url or not self._settings.handoff_token:
            raise DeskUnavailable("no handoff service configured")
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {self._settings.handoff_token}"},
                timeout=aiohttp.ClientTimeout(total=self._settings.backend_timeout_s),
            )
        try:
            async with self._session.post(f"{self._settings.handoff_url}{path}", json=body) as response:
                if response.status not in (200, 201):
                    raise DeskUnavailable(f"HTTP {response.status}: {await response.text()}")
                return await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise DeskUnavailable(repr(error)) from error


_default: Optional[HandoffDesk] = None


def default_desk() -> HandoffDesk:
    global _default
    if _default is None:
        _default = HandoffDesk(load_settings())
    return _default
