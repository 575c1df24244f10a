"""The handoff service's client of the operator backend: submitting the tickets queued while it was down."""

import asyncio
from typing import Any, Dict, Optional

import aiohttp


class OperatorUnavailable(Exception):
    """The backend did not answer (or answered 5xx): try again later."""


class OperatorRefused(Exception):
    """The backend answered 4xx: the ticket will not be accepted as it is."""


class OperatorClient:
    def __init__(self, url: str, token: str, timeout_s: float = 5.0) -> None:
        self._url = url.rstrip("/")
        self._token = token
        self._timeout_s = timeout_s
        self._session: Optional[aiohttp.ClientSession] = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def create_ticket(self, ticket: Dict[str, Any]) -> Dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {self._token}"},
                                                  timeout=aiohttp.ClientTimeout(total=self._timeout_s))
        try:
            async with self._session.post(f"{self._url}/v1/tickets", json=ticket) as response:
                if response.status >= 500:
                    raise OperatorUnavailable(f"HTTP {response.status}")
                body = await response.json(content_type=None)
                if response.status >= 400:
                    raise OperatorRefused(
                        f"HTTP {response.status}: {body.get('error') if isinstance(body, dict) else ''}"
                    )
                return body
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise OperatorUnavailable(repr(error)) from error
