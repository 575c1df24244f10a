"""The one client of the handoff service (bot/services/desk), for every process that calls it:
- the action server opens cases for an agent and keeps tickets the operator backend could not take;
- Rasa's channels relay a paused conversation's messages and collect what waits for the customer;
- the retention job and the privacy commands purge, export and erase.
Errors as in bot/clients/base.py."""

from typing import Any, Dict, List, Optional

from bot.clients.base import JsonClient
from bot.core.privacy import mask_personal_data


class DeskClient(JsonClient):
    async def open_case(self, case: Dict[str, Any]) -> Dict[str, Any]:
        """`{"status": "queued", "position", "wait_minutes", "case"}` or `{"status": "unavailable", "why"}`."""
        return await self.request("POST", "/v1/cases", json=case)

    async def queue_ticket(self, sender_id: str, channel: str, ticket: Dict[str, Any]) -> Dict[str, Any]:
        """Keep a ticket the operator backend could not take; the handoff service submits it once the
        backend answers and tells the customer its number. `{"id", "status": "pending"}`."""
        return await self.request(
            "POST", "/v1/pending-tickets", json={"sender_id": sender_id, "channel": channel, **ticket}
        )

    async def callback_opened(self, sender_id: str, ticket_id: Optional[str]) -> Dict[str, Any]:
        """A callback was opened (`ticket_id`) or kept for later (None): a case of the customer's that
        timed out in the queue becomes a callback. `{"case": {...} | None}`."""
        return await self.request("POST", "/v1/cases/callback", json={"sender_id": sender_id, "ticket_id": ticket_id})

    async def relay(
        self, sender_id: str, text: str, intent: Optional[str], confidence: Optional[float]
    ) -> Dict[str, Any]:
        """A paused conversation's message, masked (bot/core/privacy.py), to the agent's console:
        `{"relayed": true, "case_id", "status": "queued" | "taken", "agent_name"}`, or
        `{"relayed": false}` when the conversation has no open case."""
        body = {"sender_id": sender_id, "text": mask_personal_data(text), "intent": intent, "confidence": confidence}
        return await self.request("POST", "/v1/relay", json=body)

    async def outbox(self, sender_id: str) -> List[Dict[str, Any]]:
        """What waits for a customer whose channel cannot be pushed to (taken: asked once)."""
        return (await self.request("GET", f"/v1/outbox/{sender_id}"))["messages"]

    async def purge(self, before: str) -> Dict[str, Any]:
        """Delete closed cases that ended before `before` (ISO time): the retention job's call."""
        return await self.request("POST", "/v1/retention/purge", json={"before": before})

    async def privacy_export(self, phone: str, sender_ids: List[str]) -> Dict[str, Any]:
        return await self.request("POST", "/v1/privacy/export", json={"phone": phone, "sender_ids": sender_ids})

    async def privacy_erase(self, phone: str, sender_ids: List[str]) -> Dict[str, Any]:
        return await self.request("POST", "/v1/privacy/erase", json={"phone": phone, "sender_ids": sender_ids})
