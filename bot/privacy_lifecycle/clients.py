"""A small JSON client of the operator backend and the handoff service (Bearer token), for the
retention job and the privacy commands (issue #17 will put every client on one base)."""

import asyncio
from typing import Any, Dict, Optional

import aiohttp


class ServiceError(Exception):
    """The service did not answer, or refused; the message says which service and why."""


class ServiceClient:
    def __init__(self, name: str, url: str, token: str, timeout_s: float = 30.0) -> None:
        self.name = name
        self._url = url.rstrip("/")
        self._token = token
        self._timeout_s = timeout_s
        self._session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self) -> "ServiceClient":
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {self._token}"},
                                                  timeout=aiohttp.ClientTimeout(total=self._timeout_s))
        try:
            async with self._session.request(method, f"{self._url}{path}", json=body) as response:
                answer = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise ServiceError(f"{self.name} ({self._url}) did not answer: {type(error).__name__}") from None
        if status >= 400 or not isinstance(answer, dict):
            reason = answer.get("message") or answer.get("error") if isinstance(answer, dict) else ""
            raise ServiceError(f"{self.name} answered HTTP {status}: {reason}")
        return answer
