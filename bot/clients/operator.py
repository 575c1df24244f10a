"""The one client of the operator backend (bot/services/operator, or the real systems behind the same
API): identity, lines, balances, usage, bills and their explanation, consents, payments, tickets,
subscriptions, plan changes, packs, disputes, satisfaction, the dashboard's activity, WeChat bindings and
personal data.
Errors as in bot/clients/base.py."""

import datetime as dt
from typing import Any, Dict, List, Optional

from bot.clients.base import JsonClient, Rejected


class OperatorClient(JsonClient):
    async def verify_identity(
        self, phone: str, password: str, *, conversation: Optional[str] = None, address: Optional[str] = None
    ) -> Dict[str, Any]:
        """Failures are also counted per conversation and per address (429 when over the limit)."""
        client = {key: value for key, value in (("conversation", conversation), ("address", address)) if value}
        body = {"phone": phone, "password": password, **({"client": client} if client else {})}
        return await self.request("POST", "/v1/identity/verify", json=body)

    async def get_line(self, phone: str) -> Dict[str, Any]:
        return await self.request("GET", f"/v1/lines/{phone}")

    async def get_balance(self, phone: str) -> Dict[str, Any]:
        return await self.request("GET", f"/v1/lines/{phone}/balance")

    async def list_bills(
        self, phone: str, *, bill_type: Optional[str] = None, month: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        params = {key: value for key, value in (("type", bill_type), ("month", month)) if value}
        return (await self.request("GET", f"/v1/lines/{phone}/bills", params=params))["bills"]

    async def get_outstanding(self, phone: str, bill_type: str) -> int:
        body = await self.request("GET", f"/v1/lines/{phone}/outstanding", params={"type": bill_type})
        return int(body["outstanding_fen"])

    async def record_consent(
        self,
        *,
        phone: str,
        action: str,
        subject: Dict[str, Any],
        shown_text: str,
        confirmed: bool,
        channel: str,
        sender_id: str,
    ) -> Dict[str, Any]:
        body = {
            "phone": phone,
            "action": action,
            "subject": subject,
            "shown_text": shown_text,
            "confirmed": confirmed,
            "channel": channel,
            "sender_id": sender_id,
        }
        return await self.request("POST", "/v1/consents", json=body)

    async def pay(
        self,
        *,
        idempotency_key: str,
        phone: str,
        bill_type: str,
        amount_fen: int,
        method: str,
        consent_id: int,
    ) -> Dict[str, Any]:
        """Charge once per key, under a consent to exactly this payment: a retry with the same key
        returns the first result."""
        body = {
            "idempotency_key": idempotency_key,
            "phone": phone,
            "bill_type": bill_type,
            "amount_fen": amount_fen,
            "method": method,
            "consent_id": consent_id,
        }
        return await self.request("POST", "/v1/payments", json=body)

    async def create_ticket(
        self, *, phone: str, kind: str, category: str, description: str, address: Optional[str] = None
    ) -> Dict[str, Any]:
        body = {"phone": phone, "kind": kind, "category": category, "description": description, "address": address}
        return await self.request("POST", "/v1/tickets", json=body)

    async def get_ticket(self, ticket_id: str) -> Dict[str, Any]:
        return await self.request("GET", f"/v1/tickets/{ticket_id}")

    async def list_tickets(self, phone: str) -> List[Dict[str, Any]]:
        return (await self.request("GET", f"/v1/lines/{phone}/tickets"))["tickets"]

    async def list_subscriptions(self, phone: str) -> List[Dict[str, Any]]:
        return (await self.request("GET", f"/v1/lines/{phone}/subscriptions"))["subscriptions"]

    async def cancellation_quote(self, phone: str, subscription_id: int) -> Dict[str, Any]:
        return await self.request("GET", f"/v1/lines/{phone}/subscriptions/{subscription_id}/cancellation-quote")

    async def cancel_subscription(self, phone: str, subscription_id: int, consent_id: int) -> Dict[str, Any]:
        """Idempotent per consent: repeating the call with the same consent returns the first result."""
        return await self.request(
            "POST", f"/v1/lines/{phone}/subscriptions/{subscription_id}/cancel", json={"consent_id": consent_id}
        )

    async def catalogue(self) -> List[Dict[str, Any]]:
        """Every product: main plans, add-ons (with pack type and one-off) and broadband."""
        return (await self.request("GET", "/v1/packages"))["packages"]

    async def usage(self, phone: str, months: int = 3) -> List[Dict[str, Any]]:
        """The last `months` complete cycles, oldest first, then the current one."""
        return (await self.request("GET", f"/v1/lines/{phone}/usage", params={"months": str(months)}))["months"]

    async def balance_movements(self, phone: str, since: Optional[str] = None) -> Dict[str, Any]:
        params = {"since": since} if since else {}
        return await self.request("GET", f"/v1/lines/{phone}/balance-movements", params=params)

    async def plan_options(self, phone: str, want: str = "any") -> Dict[str, Any]:
        """Open plans (cheaper, more_data or any) with what each would have cost the line, and advice."""
        return await self.request("GET", f"/v1/lines/{phone}/plan-options", params={"want": want})

    async def plan_change_quote(self, phone: str, plan_code: str) -> Dict[str, Any]:
        """The terms of the change, or Rejected (409) with the reason it is not allowed."""
        return await self.request("GET", f"/v1/lines/{phone}/plan-change-quote", params={"plan_code": plan_code})

    async def change_plan(self, phone: str, plan_code: str, consent_id: int) -> Dict[str, Any]:
        """From the first of next month; idempotent per consent."""
        body = {"plan_code": plan_code, "consent_id": consent_id}
        return await self.request("POST", f"/v1/lines/{phone}/plan-change", json=body)

    async def pack_quote(self, phone: str, package_code: str) -> Dict[str, Any]:
        return await self.request("GET", f"/v1/lines/{phone}/pack-quote", params={"package_code": package_code})

    async def add_pack(self, phone: str, package_code: str, consent_id: int) -> Dict[str, Any]:
        """At once, charged from the balance; idempotent per consent."""
        body = {"package_code": package_code, "consent_id": consent_id}
        return await self.request("POST", f"/v1/lines/{phone}/packs", json=body)

    async def explain_bill(self, phone: str, month: str, bill_type: str = "话费") -> Dict[str, Any]:
        return await self.request("GET", f"/v1/lines/{phone}/bills/{month}/explanation", params={"type": bill_type})

    async def dispute_subscription(self, phone: str, subscription_id: int, statement: str) -> Dict[str, Any]:
        """Cancel an order the customer never made and open its refund complaint; Rejected (409) with
        the order's confirmation when one is on record."""
        return await self.request(
            "POST", f"/v1/lines/{phone}/subscriptions/{subscription_id}/dispute", json={"statement": statement}
        )

    async def record_satisfaction(
        self, *, sender_id: str, channel: str, task: str, score: int, phone: Optional[str]
    ) -> Dict[str, Any]:
        body = {"sender_id": sender_id, "channel": channel, "task": task, "score": score, "phone": phone}
        return await self.request("POST", "/v1/satisfaction", json=body)

    async def report_activity(self, since: dt.datetime, until: dt.datetime) -> Dict[str, List[Dict[str, Any]]]:
        """The satisfaction ratings and callbacks (回访 tickets) of [since, until): the dashboard's."""
        query = {"since": since.isoformat(), "until": until.isoformat()}
        return await self.request("GET", "/v1/reports/activity", params=query)

    async def bind_wechat(self, openid: str, phone: str) -> Dict[str, Any]:
        return await self.request("PUT", f"/v1/wechat-bindings/{openid}", json={"phone": phone})

    async def wechat_phone(self, openid: str) -> Optional[str]:
        """The number this WeChat follower verified before, if any."""
        try:
            return (await self.request("GET", f"/v1/wechat-bindings/{openid}"))["phone"]
        except Rejected as error:
            if error.status == 404:
                return None
            raise

    async def privacy_report(self, phone: str) -> Dict[str, Any]:
        """What the backend holds about a number (the privacy export)."""
        return await self.request("GET", f"/v1/privacy/{phone}")

    async def erase_personal_data(self, phone: str) -> Dict[str, Any]:
        return await self.request("POST", f"/v1/privacy/{phone}/erase")
