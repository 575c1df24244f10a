"""Disputing a subscription the customer says they never ordered (我没订过优酷会员 怎么每月扣十五).

The bot names the subscription with its order date and channel. Without the customer's confirmation
on record the backend cancels it today (no 违约金) and opens a complaint 未经同意订购 with a refund
request for what it charged; the bot says all of it and the promised response time. With a
confirmation on record the bot says when and how it was confirmed and hands over to an agent: the
bot does not refund against a record.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cancellation import pick_by_reply
from actions.formatting import yuan
from actions.handoff import after_unverified, backend_failed, hand_off
from actions.identity import BackendMixin, IdentityFormValidation, intent_of, is_verified, latest_entity
from actions.opened_tickets import noted
from actions.package_match import match_package
from actions.satisfaction import await_rating
from actions.task_slots import DISPUTE_SLOTS
from bot.clients.base import Rejected, Unavailable
from bot.clients.operator import OperatorClient

DISPUTABLE_STATUSES = ("active", "cancel_pending")


def disputable(subscriptions: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The add-ons a customer may dispute here (main plans and broadband go to an agent)."""
    return [s for s in subscriptions if s["kind"] == "addon" and s["status"] in DISPUTABLE_STATUSES]


def order_words(order: Dict[str, Any]) -> str:
    """2026-09-01经第三方推广订购 (pure)."""
    date = (order.get("ordered_at") or "")[:10] or "日期不详"
    return f"{date}经{order.get('channel') or '其他渠道'}订购"


def opening_message(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The latest message that disputed an order, as its user event."""
    for event in reversed(tracker.events):
        parse = event.get("parse_data") or {}
        if event.get("event") == "user" and (parse.get("intent") or {}).get("name") == "dispute_charge":
            return event
    return None


def opening_package(tracker: Tracker) -> Optional[str]:
    entities = ((opening_message(tracker) or {}).get("parse_data") or {}).get("entities") or []
    names = [e.get("value") for e in entities if e.get("entity") == "package_name"]
    return str(names[-1]) if names else None


async def resolve(backend: OperatorClient, phone: str, name: str, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """The slots naming the disputed subscription, or cleared ones and the reason told."""
    try:
        options = disputable(await backend.list_subscriptions(phone))
    except Unavailable:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return {"dispute_package_name": None}
    found = match_package(name, [s["name"] for s in options])
    if found.candidates:
        dispatcher.utter_message(response="utter_dispute_which", candidates="、".join(found.candidates))
        return {"dispute_package_name": None}
    if found.name is None:
        dispatcher.utter_message(response="utter_dispute_no_match", name=name)
        return {"dispute_package_name": None}
    chosen = next(s for s in options if s["name"] == found.name)
    return {"dispute_package_name": chosen["name"], "dispute_subscription_id": str(chosen["id"])}


class ValidateDisputeForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_dispute_form"

    async def extract_dispute_package_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not is_verified(tracker):
            return {}
        requested = tracker.get_slot("requested_slot")
        said = latest_entity(tracker, "package_name")
        if said and (requested == "dispute_package_name" or intent_of(tracker) in ("dispute_charge", "inform")):
            return {"dispute_package_name": said}
        if requested != "dispute_package_name":
            return {}
        try:
            options = disputable(await self.backend.list_subscriptions(tracker.get_slot("verified_phone")))
        except Unavailable:
            return {}
        picked = pick_by_reply(tracker.latest_message.get("text") or "", options)
        return {"dispute_package_name": picked["name"]} if picked else {}

    async def validate_service_password(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = await super().validate_service_password(value, dispatcher, tracker, domain)
        named = opening_package(tracker)
        if result.get("identity_verified") and named and not tracker.get_slot("dispute_package_name"):
            result.update(await resolve(self.backend, result["verified_phone"], named, dispatcher))
        return result

    async def validate_dispute_package_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not is_verified(tracker):
            return {"dispute_package_name": None}
        return await resolve(self.backend, tracker.get_slot("verified_phone"), str(value), dispatcher)


class ActionAskDisputePackageName(BackendMixin, Action):
    """Lists the add-ons on the line with how each was ordered."""

    def name(self) -> Text:
        return "action_ask_dispute_package_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        try:
            options = disputable(await self.backend.list_subscriptions(tracker.get_slot("verified_phone")))
        except Unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        if not options:
            dispatcher.utter_message(response="utter_dispute_nothing")
            return []
        listed = "\n".join(
            f"{number}. {option['name']}（{yuan(option['monthly_fee_fen'])} 元/月，{order_words(option['order'])}）"
            for number, option in enumerate(options, start=1)
        )
        buttons = [
            {"title": option["name"], "payload": f'/inform{{"package_name": "{option["name"]}"}}'} for option in options
        ]
        dispatcher.utter_message(response="utter_ask_dispute_package_name", options=listed, buttons=buttons)
        return []


class ActionDisputeCharge(BackendMixin, Action):
    def name(self) -> Text:
        return "action_dispute_charge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet(slot, None) for slot in DISPUTE_SLOTS]
        if not is_verified(tracker):
            return reset + await after_unverified(self.desk, dispatcher, tracker)
        subscription_id = tracker.get_slot("dispute_subscription_id")
        if not subscription_id:
            return reset
        said = ((opening_message(tracker) or {}).get("text") or tracker.latest_message.get("text") or "").strip()
        statement = said[:1000] or "客户称未订购该业务"
        try:
            result = await self.backend.dispute_subscription(
                tracker.get_slot("verified_phone"), int(subscription_id), statement
            )
        except Unavailable:
            return reset + await backend_failed(self.desk, dispatcher, tracker)
        except Rejected as error:
            return reset + await self._refused(dispatcher, tracker, error)
        dispatcher.utter_message(
            response="utter_dispute_done",
            name=result["package_name"],
            order=order_words(result["order"]),
            date=result["cancelled_on"],
            ticket_id=result["ticket"]["id"],
            refund=yuan(result["refund_fen"] or 0),
        )
        return reset + noted(tracker, [result["ticket"]]) + await_rating(tracker, "dispute")

    async def _refused(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, error: Rejected
    ) -> List[Dict[Text, Any]]:
        reason = error.body.get("reason")
        name = tracker.get_slot("dispute_package_name") or "该业务"
        if reason == "order_confirmed":
            order = error.body.get("order") or {}
            dispatcher.utter_message(
                response="utter_dispute_order_on_record",
                name=name,
                order=order_words(order),
                confirmation=order.get("confirmation") or "有订购确认记录",
            )
            return await hand_off(self.desk, dispatcher, tracker, "dispute_order_confirmed")
        if reason == "already_cancelled":
            dispatcher.utter_message(response="utter_dispute_already_cancelled", name=name)
            return []
        return await backend_failed(self.desk, dispatcher, tracker)
