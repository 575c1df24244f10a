"""Handing a conversation to a human agent, and taking it back.

`hand_off` opens a case in the handoff service with everything an agent needs (channel, masked
number, verified or not, the transcript with intents and confidences, the filled slots, the reason)
and pauses the bot for this conversation (bot/rasa/channels/relay.py then relays the customer's messages
to the agent). Outside service hours or with no agent online the customer is offered a callback.
Triggers: 转人工 (action_handoff), a second unclear message in a row (action_clarify), an identity
lock-out, an escalated complaint and a backend failure (the task actions call `hand_off`).
"""

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import opened_tickets
from actions.formatting import mask_phone
from actions.identity import BackendMixin, entity_or_typed, is_verified, known_phone
from actions.satisfaction import await_rating
from actions.task_slots import TASK_SLOTS  # cleared on handoff: the agent starts from the transcript
from bot.clients.base import Rejected, Unavailable
from bot.clients.desk import DeskClient
from bot.core.privacy import mask_personal_data

logger = logging.getLogger(__name__)

# Never shown to agents: the password marker, payment keys, the consent text kept for the backend.
HIDDEN_SLOTS = frozenset(
    {"service_password", "pay_key", "pay_summary", "cancel_terms", "requested_slot", "session_started_metadata"}
)
PHONE_SLOTS = frozenset({"phone_number", "verified_phone", "pay_phone", "callback_phone"})
TRANSCRIPT_LIMIT = 200  # the handoff service keeps up to 200 messages of what came before


def transcript(tracker: Tracker) -> List[Dict[str, Any]]:
    """The conversation so far, personal data masked, with each message's intent and confidence and
    when it was said (ISO, UTC)."""
    lines: List[Dict[str, Any]] = []
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text"):
            intent = (event.get("parse_data") or {}).get("intent") or {}
            lines.append(
                {
                    "role": "customer",
                    "text": mask_personal_data(event["text"]),
                    "intent": intent.get("name"),
                    "confidence": intent.get("confidence"),
                    **said_at(event),
                }
            )
        elif event.get("event") == "bot" and event.get("text"):
            lines.append({"role": "bot", "text": mask_personal_data(event["text"]), **said_at(event)})
    return lines[-TRANSCRIPT_LIMIT:]


def said_at(event: Dict[str, Any]) -> Dict[str, str]:
    """`{"at": ISO}` from the event's timestamp (seconds since the epoch), or nothing without one."""
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)) or isinstance(stamp, bool):
        return {}
    return {"at": dt.datetime.fromtimestamp(stamp, dt.timezone.utc).isoformat()}


def context(tracker: Tracker, opened: Sequence[Dict[str, Any]] = ()) -> Dict[str, Any]:
    """The filled slots (with the tickets opened in the conversation, `opened` in this very turn
    included) and the customer's latest intents."""
    slots = {}
    for name, value in sorted(tracker.slots.items()):
        if value in (None, [], "") or name in HIDDEN_SLOTS:
            continue
        slots[name] = mask_phone(str(value)) if name in PHONE_SLOTS else value
    if opened:
        slots[opened_tickets.SLOT] = opened_tickets.with_new(tracker, opened)
    intents = [
        {"text": line["text"], "intent": line["intent"], "confidence": line["confidence"]}
        for line in transcript(tracker)
        if line["role"] == "customer"
    ][-10:]
    return {"slots": slots, "intents": intents}


async def hand_off(
    desk: DeskClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reason: str,
    opened: Sequence[Dict[str, Any]] = (),
) -> List[Dict[Text, Any]]:
    """Open a case and pause the bot; or offer a callback; or say plainly that no one can take over.
    `opened`: tickets opened in this same turn (an escalated complaint's), which the slot does not hold yet."""
    verified = is_verified(tracker)
    phone = tracker.get_slot("verified_phone") if verified else tracker.get_slot("phone_number")
    case = {
        "sender_id": tracker.sender_id,
        "channel": tracker.get_latest_input_channel() or "unknown",
        "masked_phone": mask_phone(phone) if phone else None,
        # Only a verified number: agent assist answers from the backend with it; consoles show the masked one.
        "verified_phone": phone if verified and phone else None,
        "verified": verified,
        "reason": reason,
        "context": context(tracker, opened),
        "transcript": transcript(tracker),
    }
    try:
        answer = await desk.open_case(case)
    except (Unavailable, Rejected) as error:
        logger.warning("handoff failed: %s", error)
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    if answer.get("status") == "unavailable":
        response = "utter_handoff_closed_hours" if answer.get("why") == "closed" else "utter_handoff_no_agent"
        dispatcher.utter_message(
            response=response,
            buttons=[
                {"title": "登记回电", "payload": "/request_callback"},
                {"title": "不用了", "payload": "/deny"},
            ],
        )
        return []
    # The desk gives the case's place in line (1: the next one taken); the customer hears who is ahead.
    ahead = max(0, int(answer.get("position") or 1) - 1)
    wait = answer.get("wait_minutes", 1)
    if ahead:
        dispatcher.utter_message(response="utter_handoff_queued", ahead=ahead, wait=wait)
    else:
        dispatcher.utter_message(response="utter_handoff_queued_next", wait=wait)
    # The customer's channel learns the conversation waits for a person (the widget's header and typing dots).
    dispatcher.utter_message(json_message={"handoff": {"state": "queued"}})
    stop_task = [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(slot, None) for slot in TASK_SLOTS]
    return stop_task + opened_tickets.noted(tracker, opened) + [ConversationPaused()]


class ActionHandoff(BackendMixin, Action):
    """转人工 / 我要找人工, at any point."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reason = "backend_failure" if said_last(tracker) in BACKEND_FAILED else "requested"
        return await hand_off(self.desk, dispatcher, tracker, reason)


# What the bot says when the operator's systems (or its own) could not do the task: a 转人工 right
# after it is a handoff for a backend failure, not a plain request.
BACKEND_FAILED = frozenset({"utter_backend_unavailable", "utter_action_server_down"})


def said_last(tracker: Tracker) -> Optional[str]:
    """The response the bot last said before the customer's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            return (event.get("metadata") or {}).get("utter_action")
    return None


def previous_user_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the customer's message before the latest one."""
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen += 1
            if seen == 2:
                return ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return None


class ActionClarify(BackendMixin, Action):
    """An unclear message: offer the two likeliest topics; a second one in a row goes to an agent."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if previous_user_intent(tracker) == "nlu_fallback":
            return await hand_off(self.desk, dispatcher, tracker, "low_confidence")
        labels = domain.get("responses", {})
        ranking = tracker.latest_message.get("intent_ranking") or []
        likely = [
            item["name"]
            for item in ranking
            if item.get("name") != "nlu_fallback" and f"utter_topic_{item.get('name')}" in labels
        ][:2]
        if not likely:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        buttons = [{"title": labels[f"utter_topic_{name}"][0]["text"], "payload": f"/{name}"} for name in likely]
        buttons.append({"title": "都不是，转人工", "payload": "/request_human"})
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        return []


class ActionResumeAfterHandoff(Action):
    """Run by the relay when the agent hands the conversation back."""

    def name(self) -> Text:
        return "action_resume_after_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_handoff_ended")
        return await_rating(tracker, "handoff")


class ValidateCallbackForm(BackendMixin, FormValidationAction):
    """Which number to call back: the verified one, or one the customer gives."""

    def name(self) -> Text:
        return "validate_callback_form"

    async def extract_callback_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("callback_phone"):
            return {}
        if is_verified(tracker):
            return {"callback_phone": tracker.get_slot("verified_phone")}
        said = entity_or_typed(tracker, "phone_number", "callback_phone")
        return {"callback_phone": said} if said else {}

    async def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"callback_phone": await known_phone(self.backend, value, dispatcher, unchecked_if_down=True)}


class ActionOpenCallback(BackendMixin, Action):
    """A 回访 ticket: an agent calls the customer back in service hours."""

    def name(self) -> Text:
        return "action_open_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        phone = tracker.get_slot("callback_phone")
        reset = [SlotSet("callback_phone", None)]
        if not phone:
            return reset
        asked = [line["text"] for line in transcript(tracker) if line["role"] == "customer"][-5:]
        description = "客户申请人工回电。最近的问题：" + " / ".join(asked) if asked else "客户申请人工回电。"
        request = {"phone": phone, "kind": "回访", "category": "人工回电", "description": description[:2000]}
        try:
            ticket = await self.backend.create_ticket(**request)
        except Unavailable:
            kept = await queue_ticket(self.desk, dispatcher, tracker, request)
            await self.converted(tracker, None)
            return reset + kept
        except Rejected as error:
            logger.warning("callback ticket not opened: %s", error)
            dispatcher.utter_message(response="utter_handoff_failed")
            return reset
        dispatcher.utter_message(response="utter_callback_opened", ticket_id=ticket["id"], phone=mask_phone(phone))
        await self.converted(tracker, ticket["id"])
        return reset + opened_tickets.noted(tracker, [ticket])

    async def converted(self, tracker: Tracker, ticket_id: Optional[str]) -> None:
        """A case of the customer's that timed out in the queue is now a callback (the dashboard's count)."""
        try:
            await self.desk.callback_opened(tracker.sender_id, ticket_id)
        except (Unavailable, Rejected) as error:
            logger.warning("callback not recorded on the timed-out case: %s", error)


async def after_unverified(
    desk: DeskClient, dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[Dict[Text, Any]]:
    """A task form ended without verification: a lock-out goes to an agent."""
    if tracker.get_slot("identity_locked"):
        return await hand_off(desk, dispatcher, tracker, "identity_locked")
    return []


async def backend_failed(desk: DeskClient, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The operator's systems cannot answer (down, or slower than the timeout): say so plainly and
    offer a callback ticket (kept until the systems are back) or an agent."""
    dispatcher.utter_message(
        response="utter_backend_unavailable",
        buttons=[
            {"title": "登记回电", "payload": "/request_callback"},
            {"title": "转人工", "payload": "/request_human"},
        ],
    )
    return []


async def queue_ticket(
    desk: DeskClient, dispatcher: CollectingDispatcher, tracker: Tracker, ticket: Dict[str, Any]
) -> List[Dict[Text, Any]]:
    """The backend could not take `ticket`: keep it with the handoff service, which submits it when
    the backend is back and then tells the customer its number."""
    try:
        await desk.queue_ticket(tracker.sender_id, tracker.get_latest_input_channel() or "unknown", ticket)
    except (Unavailable, Rejected) as error:
        logger.error("ticket neither opened nor queued: %s", error)
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    dispatcher.utter_message(response="utter_ticket_queued", kind=ticket["kind"], phone=mask_phone(ticket["phone"]))
    return []


async def submit_ticket(
    action: BackendMixin,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    phone: str,
    request: Dict[str, Any],
) -> Tuple[Optional[Dict[str, Any]], List[Dict[Text, Any]]]:
    """Opens `request` for `phone` through the action's backend: the ticket, or None and the events of
    what was done instead. A backend that is down gets the ticket kept and submitted later (the
    customer need not report it again); one that refuses it hands the customer to an agent. The
    handoff service is reached only then."""
    try:
        return await action.backend.create_ticket(phone=phone, **request), []
    except Unavailable:
        return None, await queue_ticket(action.desk, dispatcher, tracker, {"phone": phone, **request})
    except Rejected:
        return None, await backend_failed(action.desk, dispatcher, tracker)
