"""The one async client of the operator backend. Swap this module's target for the real systems.

Every call returns the decoded JSON body or raises:
- `BackendRejected` for a 4xx answer (with the backend's `code` and details),
- `BackendUnavailable` when the backend cannot be reached, times out, or fails with 5xx.
"""

import asyncio
from typing import Any, Dict, List, Optional

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

    async def verify_identity(
        self, phone: str, password: str, *, conversation: Optional[str] = None, address: Optional[str] = None
    ) -> Dict[str, Any]:
        """Failures are also counted per conversation and per address (429 when over the limit)."""
        client = {key: value for key, value in (("conversation", conversation), ("address", address)) if value}
        body = {"phone": phone, "password": password, **({"client": client} if client else {})}
        return await self._request("POST", "/v1/identity/verify", json=body)

    async def get_line(self, phone: str) -> Dict[str, Any]:
        return await self._request("GET", f"/v1/lines/{phone}")

    async def get_balance(self, phone: str) -> Dict[str, Any]:
        return await self._request("GET", f"/v1/lines/{phone}/balance")

    async def list_bills(
        self, phone: str, *, bill_type: Optional[str] = None, month: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        params = {key: value for key, value in (("type", bill_type), ("month", month)) if value}
        return (await self._request("GET", f"/v1/lines/{phone}/bills", params=params))["bills"]

    async def get_outstanding(self, phone: str, bill_type: str) -> int:
        body = await self._request("GET", f"/v1/lines/{phone}/outstanding", params={"type": bill_type})
        return int(body["outstanding_fen"])

    async def record_consent(
        self, *, phone: str, action: str, subject: Dict[str, Any], shown_text: str, confirmed: bool,
        channel: str, sender_id: str,
    ) -> Dict[str, Any]:
        body = {"phone": phone, "action": action, "subject": subject, "shown_text": shown_text,
                "confirmed": confirmed, "channel": channel, "sender_id": sender_id}
        return await self._request("POST", "/v1/consents", json=body)

    async def pay(
        self, *, idempotency_key: str, phone: str, bill_type: str, amount_fen: int, method: str, consent_id: int,
    ) -> Dict[str, Any]:
        """Charge once per key, under a consent to exactly this payment: a retry with the same key
        returns the first result."""
        body = {"idempotency_key": idempotency_key, "phone": phone, "bill_type": bill_type,
                "amount_fen": amount_fen, "method": method, "consent_id": consent_id}
        return await self._request("POST", "/v1/payments", json=body)

    async def create_ticket(
        self, *, phone: str, kind: str, category: str, description: str, address: Optional[str] = None
    ) -> Dict[str, Any]:
        body = {"phone": phone, "kind": kind, "category": category, "description": description, "address": address}
        return await self._request("POST", "/v1/tickets", json=body)

    async def get_ticket(self, ticket_id: str) -> Dict[str, Any]:
        return await self._request("GET", f"/v1/tickets/{ticket_id}")

    async def list_tickets(self, phone: str) -> List[Dict[str, Any]]:
        return (await self._request("GET", f"/v1/lines/{phone}/tickets"))["tickets"]

    async def list_subscriptions(self, phone: str) -> List[Dict[str, Any]]:
        return (await self._request("GET", f"/v1/lines/{phone}/subscriptions"))["subscriptions"]

    async def cancellation_quote(self, phone: str, subscription_id: int) -> Dict[str, Any]:
        return await self._request("GET", f"/v1/lines/{phone}/subscriptions/{subscription_id}/cancellation-quote")

    async def cancel_subscription(self, phone: str, subscription_id: int, consent_id: int) -> Dict[str, Any]:
        """Idempotent per consent: repeating the call with the same consent returns the first result."""
        return await self._request(
            "POST", f"/v1/lines/{phone}/subscriptions/{subscription_id}/cancel", json={"consent_id": consent_id}
        )

    async def record_satisfaction(
        self, *, sender_id: str, channel: str, task: str, score: int, phone: Optional[str]
    ) -> Dict[str, Any]:
        body = {"sender_id": sender_id, "channel": channel, "task": task, "score": score, "phone": phone}
        return await self._request("POST", "/v1/satisfaction", json=body)

    async def bind_wechat(self, openid: str, phone: str) -> Dict[str, Any]:
        return await self._request("PUT", f"/v1/wechat-bindings/{openid}", json={"phone": phone})

    async def wechat_phone(self, openid: str) -> Optional[str]:
        """The number this WeChat follower verified before, if any."""
        try:
            return (await self._request("GET", f"/v1/wechat-bindings/{openid}"))["phone"]
        except BackendRejected as error:
            if error.status == 404:
                return None
            raise


_default: Optional[OperatorBackend] = None


def default_backend() -> OperatorBackend:
    """The process-wide client, built from the environment on first use."""
    global _default
    if _default is None:
        _default = OperatorBackend(load_settings())
    return _default
