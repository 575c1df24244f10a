"""Identity verification (phone number + 6-digit 服务密码) shared by every task form.

`IdentityFormValidation` is abstract (no `name()`), so rasa-sdk does not register it; each task form's
validator subclasses it. Once verified, the identity slots drop out of the form's required slots, so
verification lasts for the conversation session.

Nothing here tells who is a customer: a well-formed number is taken as typed, and the backend answers
a number that is not a customer's exactly as a wrong password. The backend also limits failed
verifications per conversation (a WeChat openid) and per network address (`client_address` in the
message metadata, when the channel knows it).
"""

import ipaddress
import logging
from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import default_desk, default_operator
from bot.clients.base import Rejected, Unavailable
from bot.clients.desk import DeskClient
from bot.clients.operator import OperatorClient
from bot.core.privacy import PASSWORD_MARKER  # what the service_password slot holds once checked: never the password
from bot.core.text import find_phone_number, find_service_password, has_digits

logger = logging.getLogger(__name__)

IDENTITY_SLOTS = ("phone_number", "service_password")
# Messages with these intents ask something else; a form answers them and resumes, so its
# extractors leave them alone (see data/rules/repair.yml).
OTHER_TASK_INTENTS = frozenset(
    {
        "check_balance",
        "query_bill",
        "query_package",
        "query_ticket",
        "cancel_package",
        "explain_bill",
        "dispute_charge",
        "change_plan",
        "add_pack",
        "report_fault",
        "complain",
        "faq",
        "out_of_scope",
        "request_human",
        "greet",
        "goodbye",
        "thank",
        "restart",
        "rate",
    }
)
WECHAT_PREFIX = "wx:"  # conversation ids of WeChat followers (bot/rasa/wechat/channel.py)


class BackendMixin:
    """Actions get their backend (and handoff desk) injected; by default the process-wide clients."""

    def __init__(self, backend: Optional[OperatorClient] = None, desk: Optional[DeskClient] = None) -> None:
        super().__init__()
        self._backend = backend
        self._desk = desk

    @property
    def backend(self) -> OperatorClient:
        return self._backend or default_operator()

    @property
    def desk(self) -> DeskClient:
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


def typed_phone(value: Any, dispatcher: CollectingDispatcher) -> Optional[str]:
    """The 11-digit mobile number in `value`, as a payment kiosk takes it: whether it belongs to a
    customer is never said here (only the password check or a confirmed action can tell, and the
    password check answers an unknown number exactly as a wrong password). Otherwise says it is not
    a valid number, without echoing what was typed (it may be a password typed at the wrong
    question), and gives None."""
    phone = find_phone_number(str(value))
    if phone is None:
        dispatcher.utter_message(response="utter_invalid_phone_number")
    return phone


async def known_phone(
    backend: OperatorClient, value: Any, dispatcher: CollectingDispatcher, *, unchecked_if_down: bool = False
) -> Optional[str]:
    """Kept for its callers (payment, callback numbers): now exactly `typed_phone`, with no backend
    call, so it cannot tell who is a customer. `backend` and `unchecked_if_down` are ignored."""
    return typed_phone(value, dispatcher)


def client_address(tracker: Tracker) -> Optional[str]:
    """The customer's network address, when the channel put it into the message metadata."""
    address = (tracker.latest_message.get("metadata") or {}).get("client_address")
    if not isinstance(address, str):
        return None
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        logger.warning("ignoring a malformed client_address in the message metadata")
        return None


def retry_minutes(error: Rejected, default_seconds: int) -> int:
    """The backend's retry_after_seconds, rounded up to whole minutes (at least 1)."""
    seconds = error.body.get("retry_after_seconds", default_seconds)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        seconds = default_seconds
    return max(1, -(-int(seconds) // 60))


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
            return await self.backend.wechat_phone(tracker.sender_id[len(WECHAT_PREFIX) :])
        except (Unavailable, Rejected) as error:
            logger.warning("could not look up a WeChat binding: %s", error)
            return None

    async def _bind_wechat(self, tracker: Tracker, phone: str) -> None:
        if not tracker.sender_id.startswith(WECHAT_PREFIX):
            return
        try:
            await self.backend.bind_wechat(tracker.sender_id[len(WECHAT_PREFIX) :], phone)
        except (Unavailable, Rejected) as error:
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
        return {"phone_number": typed_phone(value, dispatcher)}

    async def validate_service_password(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        phone = tracker.get_slot("phone_number")
        password = find_service_password(str(value)) if value else None
        if password is None or phone is None:
            dispatcher.utter_message(response="utter_invalid_service_password")
            return {"service_password": None}
        try:
            # Failures also count against this conversation (a WeChat openid) and this address.
            result = await self.backend.verify_identity(
                phone, password, conversation=tracker.sender_id, address=client_address(tracker)
            )
        except Rejected as error:
            if error.code == "wrong_password":
                # The same answer whether or not the number is a customer's (the backend counts both).
                dispatcher.utter_message(
                    response="utter_wrong_service_password", attempts_left=error.body.get("attempts_left", 0)
                )
                return {"service_password": None}
            if error.code == "verification_locked":
                # The task then ends and an agent takes over (actions/handoff.py: after_unverified).
                dispatcher.utter_message(response="utter_identity_locked", minutes=retry_minutes(error, 1800))
                return {"service_password": PASSWORD_MARKER, "identity_locked": True}
            if error.code == "verification_rate_limited":
                # Too many failures from this client: nothing was checked and no number's count moved.
                # No handoff (that would let a sprayer flood the agents' queue).
                dispatcher.utter_message(response="utter_verification_rate_limited", minutes=retry_minutes(error, 3600))
                return {"service_password": None}
            raise
        except Unavailable:
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
