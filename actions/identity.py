"""Identity verification (phone number + 6-digit 服务密码) shared by every task form.

`IdentityFormValidation` is abstract (no `name()`), so rasa-sdk does not register it; each task form's
validator subclasses it. Once verified, the identity slots drop out of the form's required slots, so
verification lasts for the conversation session.
"""

import logging
from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import BackendRejected, BackendUnavailable, OperatorBackend, default_backend
from actions.desk import HandoffDesk, default_desk
from bot.normalise import find_phone_number, find_service_password, has_digits
from bot.privacy import PASSWORD_MARKER  # what the service_password slot holds once checked: never the password

logger = logging.getLogger(__name__)

IDENTITY_SLOTS = ("phone_number", "service_password")
# Messages with these intents ask something else; a form answers them and resumes, so its
# extractors leave them alone (see data/rules/repair.yml).
OTHER_TASK_INTENTS = frozenset({
    "check_balance", "query_bill", "query_package", "query_ticket", "cancel_package", "report_fault",
    "complain", "faq", "out_of_scope", "request_human", "greet", "goodbye", "thank", "restart", "rate",
})
WECHAT_PREFIX = "wx:"  # conversation ids of WeChat followers (bot/channels/wechat.py)


class BackendMixin:
    """Actions get their backend (and handoff desk) injected; by default the process-wide clients."""

    def __init__(self, backend: Optional[OperatorBackend] = None, desk: Optional[HandoffDesk] = None) -> None:
        super().__init__()
        self._backend = backend
        self._desk = desk

    @property
    def backend(self) -> OperatorBackend:
        return self._backend or default_backend()

    @property
    def desk(self) -> HandoffDesk:
        return self._desk or default_desk()


def intent_of(tracker: Tracker) -> Optional[str]:
    """The intent of the latest user message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    """The canonical value of the last `entity` in the latest user message, if any."""
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    return str(values[-1]) if values else None


def entity_or_typed(tracker: Tracker, entity: str, slot: str) -> Optional[str]:
    """The entity from the latest message; else, when `slot` was asked for, a typed answer with
    digits (validated afterwards). Text without digits is left alone, so a question in the middle
    of a form is not swallowed."""
    said = latest_entity(tracker, entity)
    if said:
        return said
    text = tracker.latest_message.get("text") or ""
    if tracker.get_slot("requested_slot") == slot and has_digits(text):
        return text.strip()
    return None


async def known_phone(backend: OperatorBackend, value: Any, dispatcher: CollectingDispatcher,
                      *, unchecked_if_down: bool = False) -> Optional[str]:
    """The 11-digit number in `value` if the operator knows it; otherwise says why and gives None.
    With `unchecked_if_down`, a well-formed number is taken as it is while the backend is down
    (a callback number: the ticket waits for the backend anyway)."""
    phone = find_phone_number(str(value))
    if phone is None:
        dispatcher.utter_message(response="utter_invalid_phone_number", value=str(value)[:20])
        return None
    try:
        await backend.get_line(phone)
    except BackendRejected as error:
        if error.code != "unknown_number":
            raise
        dispatcher.utter_message(response="utter_unknown_phone_number", phone=phone)
        return None
    except BackendUnavailable:
        logger.warning("backend unavailable while checking a phone number")
        if unchecked_if_down:
            return phone
        dispatcher.utter_message(response="utter_backend_unavailable")
        return None
    return phone


def is_verified(tracker: Tracker) -> bool:
    return bool(tracker.get_slot("identity_verified")) and bool(tracker.get_slot("verified_phone"))


class IdentityFormValidation(BackendMixin, FormValidationAction):
    @abstractmethod
    def name(self) -> Text:
        """Each task form names its own validator (`validate_<form>`)."""

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if is_verified(tracker):
            return [slot for slot in domain_slots if slot not in IDENTITY_SLOTS]
        if tracker.get_slot("identity_locked"):
            return []  # nothing more to ask: the task ends and an agent takes over
        return domain_slots

    async def extract_phone_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # A number named in the request that starts the form (查一下13800138000的话费) or given
        # when asked; a typed answer counts even when NLU found no entity. Text without digits is
        # left alone, so a question in the middle of the form is not swallowed.
        requested = tracker.get_slot("requested_slot")
        said = latest_entity(tracker, "phone_number")
        if said and requested in (None, "phone_number"):
            return {"phone_number": said}
        if requested is None and tracker.get_slot("phone_number") is None:
            bound = await self._wechat_phone(tracker)
            if bound:
                return {"phone_number": bound}  # a WeChat follower who verified before: no retyping
        text = tracker.latest_message.get("text") or ""
        if requested != "phone_number" or not has_digits(text):
            return {}
        return {"phone_number": find_phone_number(text) or text.strip()}

    async def _wechat_phone(self, tracker: Tracker) -> Optional[str]:
        if not tracker.sender_id.startswith(WECHAT_PREFIX):
            return None
        try:
            return await self.backend.wechat_phone(tracker.sender_id[len(WECHAT_PREFIX):])
        except (BackendUnavailable, BackendRejected) as error:
            logger.warning("could not look up a WeChat binding: %s", error)
            return None

    async def _bind_wechat(self, tracker: Tracker, phone: str) -> None:
        if not tracker.sender_id.startswith(WECHAT_PREFIX):
            return
        try:
            await self.backend.bind_wechat(tracker.sender_id[len(WECHAT_PREFIX):], phone)
        except (BackendUnavailable, BackendRejected) as error:
            logger.warning("could not bind a WeChat follower to their number: %s", error)

    async def extract_service_password(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") != "service_password" or not has_digits(text):
            return {}
        return {"service_password": find_service_password(text) or text.strip()}

    async def validate_phone_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"phone_number": await known_phone(self.backend, value, dispatcher)}

    async def validate_service_password(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        phone = tracker.get_slot("phone_number")
        password = find_service_password(str(value)) if value else None
        if password is None or phone is None:
            dispatcher.utter_message(response="utter_invalid_service_password")
            return {"service_password": None}
        try:
            result = await self.backend.verify_identity(phone, password)
        except BackendRejected as error:
            if error.code == "wrong_password":
                dispatcher.utter_message(
                    response="utter_wrong_service_password", attempts_left=error.body.get("attempts_left", 0)
                )
                return {"service_password": None}
            if error.code == "verification_locked":
                minutes = max(1, -(-int(error.body.get("retry_after_seconds", 1800)) // 60))
                # The task then ends and an agent takes over (actions/handoff.py: after_unverified).
                dispatcher.utter_message(response="utter_identity_locked", minutes=minutes)
                return {"service_password": PASSWORD_MARKER, "identity_locked": True}
            raise
        except BackendUnavailable:
            logger.warning("backend unavailable while verifying identity")
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"service_password": None}
        dispatcher.utter_message(response="utter_identity_verified", name=result["customer_name"])
        await self._bind_wechat(tracker, phone)
        return {
            "service_password": PASSWORD_MARKER,
            "identity_verified": True,
            "identity_locked": False,
            "verified_phone": phone,
            "customer_name": result["customer_name"],
        }
