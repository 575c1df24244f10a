"""Cancel a package (退订), following the 消费提醒 rules.

The customer is verified, picks one of their own subscriptions (listed when they did not name one;
a package they do not have is refused), is told the effective date, any early-termination fee,
the remaining data that is lost and who loses family sharing, and confirms explicitly. The exact
text shown is recorded as a consent in the backend's audit log, and the backend cancels only under
a consent covering exactly those terms (idempotent per consent).

The terms action keeps the exact text shown and the fingerprint of what it is about (number,
subscription, package); a confirmation counts, and the package is cancelled, only while the slots
still give that fingerprint. A message that confirms and names another package (确认退订视频会员包
while the 冰激凌套餐 terms are shown) shows that package's terms instead of cancelling either.
"""

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.consent import fingerprint, shown_matches
from actions.formatting import data_size, mask_phone, yuan
from actions.handoff import after_unverified, submit_ticket
from actions.identity import BackendMixin, IdentityFormValidation, intent_of, is_verified, latest_entity
from actions.opened_tickets import noted
from actions.package_match import match_package
from actions.satisfaction import await_rating
from actions.task_slots import CANCEL_SLOTS
from bot.clients.base import Rejected, Unavailable
from bot.clients.operator import OperatorClient
from bot.core.text import to_halfwidth

logger = logging.getLogger(__name__)

# Broadband is ended in person: the modem and set-top box have to be returned.
ONLINE_KINDS = ("main", "addon")
ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
ORDINAL_RE = re.compile(r"^\s*(?:第\s*)?([1-9]|[一二两三四五六])\s*(?:个|项|号|条)?\s*$")


def reset_cancellation() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in CANCEL_SLOTS]


def cancel_subject(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """What the current slots would cancel, or None while anything is missing."""
    subject = {
        "phone": tracker.get_slot("verified_phone") if is_verified(tracker) else None,
        "subscription_id": tracker.get_slot("cancel_subscription_id"),
        "package_name": tracker.get_slot("cancel_package_name"),
    }
    return subject if all(subject.values()) else None


def still_as_shown(tracker: Tracker) -> bool:
    """The slots still name exactly the package whose terms the customer was shown."""
    return shown_matches(tracker.get_slot("cancel_terms"), cancel_subject(tracker))


def cancellable(subscriptions: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The subscriptions that can be cancelled here, in the order they are listed to the customer. A
    one-off pack lapses by itself at the end of its month: there is nothing to cancel."""
    return [s for s in subscriptions if s["kind"] in ONLINE_KINDS and s["status"] == "active" and not s.get("one_off")]


def pick_by_reply(text: str, options: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The option a typed reply points at: its number in the list (2, 第二个) or its name."""
    text = to_halfwidth(text or "")
    match = ORDINAL_RE.match(text)
    if match:
        token = match.group(1)
        index = int(token) if token.isdigit() else ORDINALS[token]
        return options[index - 1] if 1 <= index <= len(options) else None
    named = [option for option in options if option["name"] in text]
    return named[0] if len(named) == 1 else None


def opening_message(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The latest message that asked to cancel (我要退订视频会员包), as its user event."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and ((event.get("parse_data") or {}).get("intent") or {}).get("name") == (
            "cancel_package"
        ):
            return event
    return None


def opening_package(tracker: Tracker) -> Optional[str]:
    """The package named in the message that asked to cancel, if any."""
    event = opening_message(tracker)
    entities = ((event or {}).get("parse_data") or {}).get("entities") or []
    names = [e.get("value") for e in entities if e.get("entity") == "package_name"]
    return str(names[-1]) if names else None


# The customer says they never ordered what they cancel (没开过 退掉): a complaint is recorded with it.
NEVER_ORDERED = re.compile(
    r"没(?:有)?(?:开|订|办|开通|订购|办理|申请|同意)过|从来没(?:有)?(?:开|订|办|用)|不是我(?:开|订|办)的|没经过?我(?:的)?同意"
    r"|未经(?:我)?(?:的)?同意|偷偷|私自|莫名其妙|被开通|给我开的|谁(?:让|叫)你们(?:给我)?开"
)


def disputes_the_order(text: str) -> bool:
    return bool(NEVER_ORDERED.search(to_halfwidth(text or "")))


async def resolve(backend: OperatorClient, phone: str, name: str, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """The slots for cancelling `name` on `phone`, or a cleared name and the reason told."""
    try:
        subscriptions = await backend.list_subscriptions(phone)
    except Unavailable:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return {"cancel_package_name": None}
    found = match_package(name, [s["name"] for s in subscriptions])
    if found.candidates:
        dispatcher.utter_message(response="utter_cancel_which_one", name=name, options="、".join(found.candidates))
        return {"cancel_package_name": None}
    if found.name is None:
        dispatcher.utter_message(response="utter_cancel_not_subscribed", name=name)
        return {"cancel_package_name": None}
    if found.name != name:
        dispatcher.utter_message(response="utter_cancel_name_matched", said=name, name=found.name)
        name = found.name
    subscription = next(s for s in subscriptions if s["name"] == name)
    if subscription["status"] != "active":
        dispatcher.utter_message(
            response="utter_cancel_already_pending", name=name, date=subscription["cancel_effective"]
        )
        return {"cancel_package_name": None}
    if subscription["kind"] not in ONLINE_KINDS:
        dispatcher.utter_message(response="utter_cancel_in_person", name=name)
        return {"cancel_package_name": None}
    return {
        "cancel_package_name": name,
        "cancel_subscription_id": str(subscription["id"]),
        "cancel_confirmed": None,
        "cancel_terms": None,
    }


class ValidateCancelForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_cancel_form"

    async def extract_cancel_package_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not is_verified(tracker):
            return {}  # identity first; the package named meanwhile is picked up after verification
        requested = tracker.get_slot("requested_slot")
        said = latest_entity(tracker, "package_name")
        intent = intent_of(tracker)
        # A yes that names a package is about that package: if it is not the one shown, its terms are shown.
        confirming = requested == "cancel_confirmed" and intent == "affirm"
        if said and (requested == "cancel_package_name" or intent in ("cancel_package", "inform") or confirming):
            return {"cancel_package_name": said}
        if requested != "cancel_package_name":
            return {}
        # A typed reply to the list: only one that points at an option, so a question is not swallowed.
        try:
            options = cancellable(await self.backend.list_subscriptions(tracker.get_slot("verified_phone")))
        except Unavailable:
            return {}
        picked = pick_by_reply(tracker.latest_message.get("text") or "", options)
        return {"cancel_package_name": picked["name"]} if picked else {}

    async def extract_cancel_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") == "cancel_confirmed" and intent_of(tracker) == "affirm":
            return {"cancel_confirmed": True} if still_as_shown(tracker) else {}
        return {}

    async def validate_service_password(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = await super().validate_service_password(value, dispatcher, tracker, domain)
        named = opening_package(tracker)
        if result.get("identity_verified") and named and not tracker.get_slot("cancel_package_name"):
            result.update(await resolve(self.backend, result["verified_phone"], named, dispatcher))
        return result

    async def validate_cancel_package_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not is_verified(tracker):
            return {"cancel_package_name": None}
        if still_as_shown(tracker):
            return {"cancel_package_name": value}  # named again while its terms are shown: nothing changes
        return await resolve(self.backend, tracker.get_slot("verified_phone"), str(value), dispatcher)

    async def validate_cancel_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # Only a confirmation of terms actually shown, for what the slots still name, counts (rasa-sdk
        # validates from a snapshot: a package changed in the same message is in the slots by now).
        confirmed = value is True and still_as_shown(tracker)
        return {"cancel_confirmed": True if confirmed else None}


class ActionAskCancelPackageName(BackendMixin, Action):
    """Lists the customer's own subscriptions that can be cancelled here."""

    def name(self) -> Text:
        return "action_ask_cancel_package_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        try:
            options = cancellable(await self.backend.list_subscriptions(tracker.get_slot("verified_phone")))
        except Unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        if not options:
            dispatcher.utter_message(response="utter_cancel_nothing")
            return []
        listed = "\n".join(
            f"{number}. {option['name']}（{yuan(option['monthly_fee_fen'])} 元/月）"
            for number, option in enumerate(options, start=1)
        )
        buttons = [
            {"title": option["name"], "payload": f'/inform{{"package_name": "{option["name"]}"}}'} for option in options
        ]
        dispatcher.utter_message(response="utter_ask_cancel_package_name", options=listed, buttons=buttons)
        return []


def terms_text(domain: DomainDict, quote: Dict[str, Any]) -> str:
    """What the customer is told before confirming, from the domain's templates."""
    responses = domain["responses"]

    def render(response: str, **values: Any) -> str:
        return responses[response][0]["text"].format(**values)

    subscription = quote["subscription"]
    parts = [
        render(
            "utter_cancel_terms",
            name=subscription["name"],
            fee=yuan(subscription["monthly_fee_fen"]),
            date=quote["effective_date"],
        )
    ]
    if quote["early_termination_fee_fen"]:
        parts.append(
            render(
                "utter_cancel_terms_penalty",
                contract_end=subscription["contract_end"],
                penalty=yuan(quote["early_termination_fee_fen"]),
            )
        )
    if quote["remaining_data_lost_mb"]:
        parts.append(render("utter_cancel_terms_data", data=data_size(quote["remaining_data_lost_mb"])))
    if quote["family_members_affected"]:
        members = "、".join(mask_phone(member) for member in quote["family_members_affected"])
        parts.append(render("utter_cancel_terms_family", members=members))
    parts.append(render("utter_cancel_terms_confirm"))
    return "".join(parts)


class ActionAskCancelConfirmed(BackendMixin, Action):
    """States every consequence (消费提醒) and asks for explicit confirmation; keeps the exact text
    shown, the terms it states and the fingerprint of what it is about."""

    def name(self) -> Text:
        return "action_ask_cancel_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        subject = cancel_subject(tracker)
        if subject is None or not str(subject["subscription_id"]).isdigit():
            dispatcher.utter_message(response="utter_cancel_not_possible")
            return [SlotSet("cancel_terms", None)]
        phone, subscription_id = subject["phone"], int(subject["subscription_id"])
        try:
            quote = await self.backend.cancellation_quote(phone, subscription_id)
        except Unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return [SlotSet("cancel_terms", None)]
        except Rejected as error:
            logger.info("no cancellation quote for subscription %s: %s", subscription_id, error)
            dispatcher.utter_message(response="utter_cancel_not_possible")
            return [SlotSet("cancel_terms", None)]
        if (quote["subscription"]["id"], quote["subscription"]["name"]) != (subscription_id, subject["package_name"]):
            logger.warning("the quote is for another subscription than the one named")
            dispatcher.utter_message(response="utter_cancel_not_possible")
            return [SlotSet("cancel_terms", None)]
        text = terms_text(domain, quote)
        dispatcher.utter_message(
            text=text, buttons=[{"title": "确认退订", "payload": "/affirm"}, {"title": "不退了", "payload": "/deny"}]
        )
        terms = {
            "subject": quote["consent_subject"],
            "shown_text": text,
            "fingerprint": fingerprint(subject),
            "effective_date": quote["effective_date"],
            "penalty_fen": quote["early_termination_fee_fen"],
        }
        return [SlotSet("cancel_terms", terms)]


class ActionCancelPackage(BackendMixin, Action):
    def name(self) -> Text:
        return "action_cancel_package"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        terms = tracker.get_slot("cancel_terms")
        if not is_verified(tracker):
            return reset_cancellation() + await after_unverified(self.desk, dispatcher, tracker)
        if tracker.get_slot("cancel_confirmed") is not True or not terms:
            return reset_cancellation()
        if not still_as_shown(tracker) or terms["subject"].get("subscription_id") != int(
            tracker.get_slot("cancel_subscription_id")
        ):
            # Confirmed, but not for what the slots now name: cancel nothing and say so.
            dispatcher.utter_message(response="utter_cancel_terms_changed")
            return reset_cancellation()
        phone, name = tracker.get_slot("verified_phone"), tracker.get_slot("cancel_package_name")
        subscription_id = int(tracker.get_slot("cancel_subscription_id"))
        try:
            consent = await self.backend.record_consent(
                phone=phone,
                action="cancel_package",
                subject=terms["subject"],
                shown_text=terms["shown_text"],
                confirmed=True,
                channel=tracker.get_latest_input_channel() or "unknown",
                sender_id=tracker.sender_id,
            )
            result = await self._cancel_with_one_retry(phone, subscription_id, consent["id"])
        except Rejected as error:
            logger.info("cancellation refused: %s", error)
            if error.status == 409 and "cancel_effective" in error.body:
                dispatcher.utter_message(
                    response="utter_cancel_already_pending", name=name, date=error.body["cancel_effective"]
                )
            else:
                dispatcher.utter_message(response="utter_cancel_terms_changed")
            return reset_cancellation()
        except Unavailable:
            dispatcher.utter_message(response="utter_cancel_unconfirmed")
            return reset_cancellation()
        dispatcher.utter_message(response="utter_cancel_done", name=name, date=result["cancel_effective"])
        if result.get("early_termination_fee_fen"):
            dispatcher.utter_message(
                response="utter_cancel_penalty_charged", penalty=yuan(result["early_termination_fee_fen"])
            )
        opening = (opening_message(tracker) or {}).get("text") or ""
        if disputes_the_order(opening):
            return reset_cancellation() + await self._record_dispute(dispatcher, tracker, phone, name, opening)
        return reset_cancellation() + await_rating(tracker, "cancel_package")

    async def _record_dispute(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, phone: str, name: str, said: str
    ) -> List[Dict[Text, Any]]:
        """The complaint about a subscription the customer says they never agreed to (未经同意订购)."""
        complaint = {
            "kind": "投诉",
            "category": "未经同意订购",
            "description": f"客户称从未订购{name}，已在对话中退订。客户原话：{said[:300]}",
        }
        ticket, instead = await submit_ticket(self, dispatcher, tracker, phone, complaint)
        if ticket is None:
            return instead
        dispatcher.utter_message(
            response="utter_cancel_dispute_recorded",
            name=name,
            ticket_id=ticket["id"],
            sla_due=ticket["sla_due"][:16].replace("T", " "),
        )
        return noted(tracker, [ticket]) + await_rating(tracker, "cancel_package")

    async def _cancel_with_one_retry(self, phone: str, subscription_id: int, consent_id: int) -> Dict[str, Any]:
        for attempt in (1, 2):
            try:
                return await self.backend.cancel_subscription(phone, subscription_id, consent_id)
            except Unavailable:
                if attempt == 2:
                    raise
                logger.warning("cancellation call failed, retrying once with the same consent")
        raise AssertionError("unreachable")


class ActionKeepPackage(Action):
    """算了 / 不退了: nothing changes."""

    def name(self) -> Text:
        return "action_keep_package"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        name = tracker.get_slot("cancel_package_name")
        if name:
            dispatcher.utter_message(response="utter_cancel_kept", name=name)
        else:
            dispatcher.utter_message(response="utter_cancel_abandoned")
        return reset_cancellation()
