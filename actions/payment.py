"""Pay a bill (话费 top-up or the 宽带 bill) for any number, with a summary, explicit confirmation,
a consent record and an idempotency key tied to the summary shown.

Paying needs only the number (like a top-up), never its service password; so without verification
for that very number the flow says only what a payment kiosk would (no balance, no amount owed).
Every pay slot is taken from the latest message's entities whenever the form runs, so a correction
such as 不对，是100块 replaces the amount at any step; 算了 is handled by a rule that cancels the form.

The summary action keeps the exact text shown and the fingerprint of its subject (`pay_summary`);
a confirmation counts, and `action_pay` charges, only while the slots still give that fingerprint,
so a message that confirms and changes a detail at once (对，改成500) shows the new summary instead.
One idempotency key belongs to one shown summary and is kept until the payment is settled or
cancelled: confirming the same summary again after an unknown outcome reuses it.
"""

import logging
import re
import uuid
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.consent import fingerprint, render, shown_matches
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
from actions.satisfaction import await_rating
from actions.task_slots import PAY_SLOTS, PENDING_PAY_SLOTS
from bot.clients.base import Rejected, Unavailable

logger = logging.getLogger(__name__)

BILL_TYPES = ("话费", "宽带")
METHODS = ("微信", "支付宝", "银行卡")


KEY_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_.:\-]")  # the backend's key alphabet


def reset_payment(*, keep_pending: bool = False) -> List[Dict[Text, Any]]:
    """Clear the payment; with `keep_pending`, keep the shown summary and its key (outcome unknown)."""
    kept = PENDING_PAY_SLOTS if keep_pending else ()
    return [SlotSet(slot, None) for slot in PAY_SLOTS if slot not in kept]


def pay_subject(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """What the current slots would charge, or None while anything is missing or invalid."""
    subject = {
        "phone": tracker.get_slot("pay_phone"),
        "bill_type": tracker.get_slot("pay_bill_type"),
        "amount_fen": to_fen(tracker.get_slot("amount")),
        "method": tracker.get_slot("payment_method"),
    }
    if subject["bill_type"] not in BILL_TYPES or subject["method"] not in METHODS:
        return None
    if not isinstance(subject["phone"], str) or subject["amount_fen"] is None:
        return None
    return subject


def summary_values(subject: Dict[str, Any]) -> Dict[str, str]:
    return {
        "phone": mask_phone(subject["phone"]),
        "bill_type": subject["bill_type"],
        "amount": yuan(subject["amount_fen"]),
        "method": subject["method"],
    }


def still_as_shown(tracker: Tracker) -> bool:
    """The slots still state exactly the summary the customer was shown."""
    return shown_matches(tracker.get_slot("pay_summary"), pay_subject(tracker))


def verified_for(tracker: Tracker, phone: Optional[str]) -> bool:
    """The conversation verified the identity of this very number."""
    return bool(phone) and is_verified(tracker) and tracker.get_slot("verified_phone") == phone


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

    async def extract_pay_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if intent_of(tracker) in OTHER_TASK_INTENTS:
            return {}
        phone = entity_or_typed(tracker, "phone_number", "pay_phone")
        if phone is None and tracker.get_slot("pay_phone") is None and is_verified(tracker):
            phone = tracker.get_slot("verified_phone")  # their own number by default
        return {"pay_phone": phone} if phone else {}

    async def extract_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
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
        # Only a plain yes to the summary shown: if the same message changed a detail (extracted
        # above, in the form's slot order), the slots no longer match and the new summary is shown.
        if tracker.get_slot("requested_slot") == "pay_confirmed" and intent_of(tracker) == "affirm":
            return {"pay_confirmed": True} if still_as_shown(tracker) else {}
        return {}

    async def validate_pay_bill_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"pay_bill_type": value if value in BILL_TYPES else None}

    async def validate_payment_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"payment_method": value if value in METHODS else None}

    async def validate_pay_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        phone = await known_phone(self.backend, value, dispatcher)
        # A new number invalidates a confirmation given for the old one.
        return {"pay_phone": phone, "pay_confirmed": None} if phone else {"pay_phone": None}

    async def validate_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
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
        # rasa-sdk validates from the snapshot taken after extraction: a detail changed in the same
        # message has already been validated into the slots here, so check them again.
        return {"pay_confirmed": True if value is True and still_as_shown(tracker) else None}


class ActionAskAmount(BackendMixin, Action):
    """Asks for the amount; for a 宽带 bill of a number verified in this conversation it offers the
    exact amount owed. Anyone else is asked like at a payment kiosk: the amount owed is not told."""

    def name(self) -> Text:
        return "action_ask_amount"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        phone = tracker.get_slot("pay_phone")
        if tracker.get_slot("pay_bill_type") == "宽带" and verified_for(tracker, phone):
            try:
                owed = await self.backend.get_outstanding(phone, "宽带")
            except (Unavailable, Rejected):
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


def new_key(sender_id: str) -> str:
    return f"pay-{KEY_UNSAFE_RE.sub('', sender_id)[:40]}-{uuid.uuid4().hex}"


class ActionAskPayConfirmed(Action):
    """Shows the summary to confirm; keeps the exact text sent, its subject's fingerprint, and the
    idempotency key of that summary (the same one again if this summary was shown before)."""

    def name(self) -> Text:
        return "action_ask_pay_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        subject = pay_subject(tracker)
        if subject is None:  # the form asks only once every detail is valid; never confirm a gap
            dispatcher.utter_message(response="utter_payment_refused")
            return [SlotSet("pay_summary", None), SlotSet("pay_key", None)]
        text, buttons = render(domain, "utter_ask_pay_confirmed", **summary_values(subject))
        dispatcher.utter_message(text=text, buttons=buttons)
        key = tracker.get_slot("pay_key")
        if not (key and shown_matches(tracker.get_slot("pay_summary"), subject)):
            key = new_key(tracker.sender_id)
        return [
            SlotSet("pay_summary", {"fingerprint": fingerprint(subject), "shown_text": text}),
            SlotSet("pay_key", key),
        ]


class ActionPay(BackendMixin, Action):
    def name(self) -> Text:
        return "action_pay"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot("pay_confirmed") is not True:
            return reset_payment(keep_pending=True)
        subject, key = pay_subject(tracker), tracker.get_slot("pay_key")
        if subject is None or not key or not shown_matches(tracker.get_slot("pay_summary"), subject):
            # Confirmed, but not these details: charge nothing and say so.
            dispatcher.utter_message(response="utter_payment_not_as_shown")
            return reset_payment(keep_pending=True)
        phone, bill_type = subject["phone"], subject["bill_type"]
        verified = verified_for(tracker, phone)
        try:
            consent = await self.backend.record_consent(
                phone=phone,
                action="payment",
                subject=subject,
                shown_text=tracker.get_slot("pay_summary")["shown_text"],
                confirmed=True,
                channel=tracker.get_latest_input_channel() or "unknown",
                sender_id=tracker.sender_id,
            )
            payment = await self._pay_with_one_retry(key, subject, consent["id"])
        except Rejected as error:
            logger.info("payment refused: %s", error.code)
            dispatcher.utter_message(**refusal(error, verified))
            return reset_payment()  # refused: nothing was charged under this key
        except Unavailable:
            # Unknown outcome: keep this summary's key, so confirming it again cannot charge twice.
            dispatcher.utter_message(response="utter_payment_unconfirmed")
            return reset_payment(keep_pending=True)
        values = {"phone": mask_phone(phone), "amount": yuan(subject["amount_fen"]), "method": subject["method"]}
        if bill_type == "话费" and verified:
            dispatcher.utter_message(
                response="utter_payment_done_topup", balance=yuan(payment["balance_after_fen"]), **values
            )
        elif bill_type == "话费":
            dispatcher.utter_message(response="utter_payment_done_topup_unverified", **values)
        elif verified:
            dispatcher.utter_message(
                response="utter_payment_done_broadband", outstanding=yuan(payment["outstanding_after_fen"]), **values
            )
        else:
            dispatcher.utter_message(response="utter_payment_done_broadband_unverified", **values)
        return reset_payment() + await_rating(tracker, "payment")

    async def _pay_with_one_retry(self, key: str, subject: Dict[str, Any], consent_id: int) -> Dict[str, Any]:
        for attempt in (1, 2):
            try:
                return await self.backend.pay(idempotency_key=key, consent_id=consent_id, **subject)
            except Unavailable:
                if attempt == 2:
                    raise
                logger.warning("payment call failed, retrying once with the same idempotency key")
        raise AssertionError("unreachable")


def refusal(error: Rejected, verified: bool) -> Dict[str, Any]:
    """What to tell the customer when the backend refused the payment (nothing was charged)."""
    if error.code == "invalid_input" and "outstanding_fen" in error.body:
        if verified:
            return {"response": "utter_amount_above_outstanding", "outstanding": yuan(error.body["outstanding_fen"])}
        return {"response": "utter_amount_above_outstanding_unverified"}
    if error.body.get("field") == "consent_id":
        return {"response": "utter_payment_not_as_shown"}
    return {"response": "utter_payment_refused"}


class ActionCancelPayment(Action):
    def name(self) -> Text:
        return "action_cancel_payment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_payment_cancelled")
        return reset_payment()
