"""Pay a bill (话费 top-up or the 宽带 bill) for any number, with a summary, explicit confirmation,
a consent record and an idempotency key tied to that confirmation.

Paying needs only the number (like a top-up), never its service password. Every pay slot is taken
from the latest message's entities whenever the form runs, so a correction such as 不对，是100块
replaces the amount at any step; 算了 is handled by a rule that cancels the form.
"""

import logging
import uuid
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import BackendRejected, BackendUnavailable
from actions.formatting import mask_phone, yuan
from actions.identity import (
    OTHER_TASK_INTENTS,
    BackendMixin,
    entity_or_typed,
    intent_of,
    is_verified,
    known_phone,
    latest_entity,
)
from actions.money import MAX_PAYMENT_FEN, to_fen
from actions.satisfaction import ask_satisfaction
from actions.task_slots import PAY_SLOTS

logger = logging.getLogger(__name__)

BILL_TYPES = ("话费", "宽带")
METHODS = ("微信", "支付宝", "银行卡")


def reset_payment() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in PAY_SLOTS]


def summary_values(tracker: Tracker) -> Dict[str, str]:
    return {
        "phone": mask_phone(tracker.get_slot("pay_phone") or ""),
        "bill_type": tracker.get_slot("pay_bill_type") or "",
        "amount": yuan(to_fen(tracker.get_slot("amount")) or 0),
        "method": tracker.get_slot("payment_method") or "",
    }


class ValidatePayForm(BackendMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_pay_form"

    async def extract_pay_bill_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if intent_of(tracker) in OTHER_TASK_INTENTS:
            return {}  # 我话费还剩多少 in the middle of paying is a question, not a bill type
        said = latest_entity(tracker, "bill_type")
        return {"pay_bill_type": said} if said else {}

    async def extract_pay_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if intent_of(tracker) in OTHER_TASK_INTENTS:
            return {}
        phone = entity_or_typed(tracker, "phone_number", "pay_phone")
        if phone is None and tracker.get_slot("pay_phone") is None and is_verified(tracker):
            phone = tracker.get_slot("verified_phone")  # their own number by default
        return {"pay_phone": phone} if phone else {}

    async def extract_amount(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if intent_of(tracker) in OTHER_TASK_INTENTS:
            return {}
        amount = entity_or_typed(tracker, "amount", "amount")
        return {"amount": amount} if amount else {}

    async def extract_payment_method(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if intent_of(tracker) in OTHER_TASK_INTENTS:
            return {}
        said = latest_entity(tracker, "payment_method")
        return {"payment_method": said} if said else {}

    async def extract_pay_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") == "pay_confirmed" and intent_of(tracker) == "affirm":
            return {"pay_confirmed": True}
        return {}

    async def validate_pay_bill_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"pay_bill_type": value if value in BILL_TYPES else None}

    async def validate_payment_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"payment_method": value if value in METHODS else None}

    async def validate_pay_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        phone = await known_phone(self.backend, value, dispatcher)
        # A new number invalidates a confirmation given for the old one.
        return {"pay_phone": phone, "pay_confirmed": None} if phone else {"pay_phone": None}

    async def validate_amount(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        fen = to_fen(value)
        if fen is None:
            dispatcher.utter_message(response="utter_invalid_amount", value=str(value)[:20])
            return {"amount": None}
        if fen > MAX_PAYMENT_FEN:
            dispatcher.utter_message(response="utter_amount_too_large", limit=yuan(MAX_PAYMENT_FEN))
            return {"amount": None}
        return {"amount": format(fen / 100, "g") if fen % 100 else str(fen // 100), "pay_confirmed": None}

    async def validate_pay_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"pay_confirmed": True if value is True else None}


class ActionAskAmount(BackendMixin, Action):
    """Asks for the amount; for a 宽带 bill it offers the exact amount owed."""

    def name(self) -> Text:
        return "action_ask_amount"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        phone = tracker.get_slot("pay_phone")
        if tracker.get_slot("pay_bill_type") == "宽带" and phone:
            try:
                owed = await self.backend.get_outstanding(phone, "宽带")
            except (BackendUnavailable, BackendRejected):
                owed = 0
            if owed:
                amount = yuan(owed)
                dispatcher.utter_message(
                    response="utter_ask_amount_broadband",
                    outstanding=amount,
                    buttons=[{"title": f"缴清 {amount} 元", "payload": f'/inform{{"amount": "{owed / 100:g}"}}'}],
                )
                return []
        dispatcher.utter_message(response="utter_ask_amount")
        return []


class ActionAskPayConfirmed(Action):
    """Shows the summary to confirm and draws the idempotency key that belongs to it."""

    def name(self) -> Text:
        return "action_ask_pay_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_ask_pay_confirmed", **summary_values(tracker))
        return [SlotSet("pay_key", f"pay-{tracker.sender_id[:40]}-{uuid.uuid4().hex}")]


def shown_text(domain: DomainDict, tracker: Tracker) -> str:
    """The confirmation text exactly as the customer saw it, for the consent record."""
    template = domain["responses"]["utter_ask_pay_confirmed"][0]["text"]
    return template.format(**summary_values(tracker))


class ActionPay(BackendMixin, Action):
    def name(self) -> Text:
        return "action_pay"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if tracker.get_slot("pay_confirmed") is not True or not tracker.get_slot("pay_key"):
            return reset_payment()
        phone, bill_type = tracker.get_slot("pay_phone"), tracker.get_slot("pay_bill_type")
        amount_fen, method = to_fen(tracker.get_slot("amount")), tracker.get_slot("payment_method")
        subject = {"phone": phone, "bill_type": bill_type, "amount_fen": amount_fen, "method": method}
        try:
            consent = await self.backend.record_consent(
                phone=phone, action="payment", subject=subject, shown_text=shown_text(domain, tracker),
                confirmed=True, channel=tracker.get_latest_input_channel() or "unknown", sender_id=tracker.sender_id,
            )
            payment = await self._pay_with_one_retry(tracker.get_slot("pay_key"), subject, consent["id"])
        except BackendRejected as error:
            if error.code == "invalid_input" and "outstanding_fen" in error.body:
                dispatcher.utter_message(response="utter_amount_above_outstanding", outstanding=yuan(error.body["outstanding_fen"]))
            else:
                dispatcher.utter_message(response="utter_payment_refused")
            return reset_payment()
        except BackendUnavailable:
            # The same key is safe to retry later: the backend never charges it twice.
            dispatcher.utter_message(response="utter_payment_unconfirmed")
            return reset_payment()
        values = {"phone": mask_phone(phone), "amount": yuan(amount_fen or 0), "method": method}
        if bill_type == "话费":
            dispatcher.utter_message(response="utter_payment_done_topup", balance=yuan(payment["balance_after_fen"]), **values)
        else:
            dispatcher.utter_message(
                response="utter_payment_done_broadband", outstanding=yuan(payment["outstanding_after_fen"]), **values
            )
        return reset_payment() + ask_satisfaction(dispatcher, tracker, "payment")

    async def _pay_with_one_retry(self, key: str, subject: Dict[str, Any], consent_id: int) -> Dict[str, Any]:
        for attempt in (1, 2):
            try:
                return await self.backend.pay(idempotency_key=key, consent_id=consent_id, **subject)
            except BackendUnavailable:
                if attempt == 2:
                    raise
                logger.warning("payment call failed, retrying once with the same idempotency key")
        raise AssertionError("unreachable")


class ActionCancelPayment(Action):
    def name(self) -> Text:
        return "action_cancel_payment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_payment_cancelled")
        return reset_payment()
