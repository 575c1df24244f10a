"""The one shape of our HTTP clients: JSON over HTTP to one service, with a Bearer token.

Every call returns the decoded JSON body or raises:
- `Rejected` for a 4xx answer (with the service's `error` code and the body): asking again the same
  way gets the same answer;
- `Unavailable` when the service is not configured, cannot be reached, times out, fails with 5xx or
  answers something that is not JSON: nothing can be assumed about a write, so writes carry an
  idempotency key or a consent id and are safe to repeat.

The session is opened on the first call (clients are built before the event loop runs) and closed
by `close()` or `async with`.
"""

import asyncio
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, TypeVar

import aiohttp


class Unavailable(Exception):
    """The service could not answer; the message says which service and why."""


class Rejected(Exception):
    """The service answered 4xx."""

    def __init__(self, service: str, status: int, body: Dict[str, Any]) -> None:
        super().__init__(f"{service} answered HTTP {status} {body.get('error', '')}: {body.get('message', '')}")
        self.status = status
        self.code = str(body.get("error", "unknown"))
        self.body = body


@dataclass(frozen=True)
class Endpoint:
    """Where a service is and how to reach it. An empty url means "not configured"."""

    name: str  # for messages: "operator backend", "handoff service", ...
    url: str
    token: str = ""
    timeout_s: float = 5.0


Client = TypeVar("Client", bound="JsonClient")


class JsonClient:
    def __init__(self, endpoint: Endpoint, session: Optional[aiohttp.ClientSession] = None) -> None:
        self.endpoint = endpoint
        self._url = endpoint.url.rstrip("/")
        self._session = session

    async def __aenter__(self: Client) -> Client:
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        await self.close()

    @property
    def configured(self) -> bool:
        return bool(self._url)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            headers = {"Authorization": f"Bearer {self.endpoint.token}"} if self.endpoint.token else {}
            self._session = aiohttp.ClientSession(
                headers=headers, timeout=aiohttp.ClientTimeout(total=self.endpoint.timeout_s)
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Optional[Mapping[str, str]] = None,
        timeout_s: Optional[float] = None,
    ) -> Any:
        name = self.endpoint.name
        if not self._url:
            raise Unavailable(f"{name}: not configured")
        options: Dict[str, Any] = {"json": json, "params": params}
        if timeout_s is not None:
            options["timeout"] = aiohttp.ClientTimeout(total=timeout_s)
        try:
            async with self._client().request(method, self._url + path, **options) as response:
                if response.status >= 500:
                    raise Unavailable(f"{name}: {method} {path}: HTTP {response.status}")
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise Unavailable(f"{name} ({self._url}) did not answer {method} {path}: {type(error).__name__}") from error
        if status >= 400:
            raise Rejected(name, status, body if isinstance(body, dict) else {})
        return body
