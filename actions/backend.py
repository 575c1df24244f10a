"""The one async client of the operator backend. Swap this module's target for the real systems.

Every call returns the decoded JSON body or raises:
- `BackendRejected` for a 4xx answer (with the backend's `code` and details),
- `BackendUnavailable` when the backend cannot be reached, times out, or fails with 5xx.
"""

import asyncio
from typing import Any, Dict, Optional

import aiohttp

from actions.settings import ActionSettings, load_settings


class BackendUnavailable(Exception):
    """The backend could not answer; nothing can be assumed about a write."""


class BackendRejected(Exception):
    def __init__(self, status: int, body: Dict[str, Any]) -> None:
        super().__init__(f"{status} {body.get('error')}: {body.get('message')}")
        self.status = status
        self.code = str(body.get("error", "unknown"))
        self.body = body


class OperatorBackend:
    def __init__(self, settings: ActionSettings, session: Optional[aiohttp.ClientSession] = None) -> None:
        self._settings = settings
        self._session = session

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {self._settings.backend_token}"},
                timeout=aiohttp.ClientTimeout(total=self._settings.backend_timeout_s),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Dict[str, Any]:
        url = self._settings.backend_url + path
        try:
            async with self._client().request(method, url, **kwargs) as response:
                if response.status >= 500:
                    raise BackendUnavailable(f"{method} {path}: HTTP {response.status}")
                body = await response.json(content_type=None)
                if response.status >= 400:
                    raise BackendRejected(response.status, body if isinstance(body, dict) else {})
                return body
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise BackendUnavailable(f"{method} {path}: {error!r}") from error

    async def verify_identity(self, phone: str, password: str) -> Dict[str, Any]:
        return await self._request("POST", "/v1/identity/verify", json={"phone": phone, "password": password})

    async def get_line(self, phone: str) -> Dict[str, Any]:
        return await self._request("GET", f"/v1/lines/{phone}")

    async def get_balance(self, phone: str) -> Dict[str, Any]:
        return await self._request("GET", f"/v1/lines/{phone}/balance")


_default: Optional[OperatorBackend] = None


def default_backend() -> OperatorBackend:
    """The process-wide client, built from the environment on first use."""
    global _default
    if _default is None:
        _default = OperatorBackend(load_settings())
    return _default
