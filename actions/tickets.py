"""Tickets: 故障报修 and 投诉 open a backend ticket with its promised response time; 查工单 finds one.

All three need a verified customer (IdentityFormValidation): a ticket is tied to the line.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import after_unverified, backend_failed, hand_off, submit_ticket
from actions.identity import BackendMixin, IdentityFormValidation, intent_of, is_verified, latest_entity
from actions.opened_tickets import noted
from actions.satisfaction import await_rating
from actions.task_slots import TICKET_SLOTS
from bot.clients.base import Unavailable

FAULT_TYPES = ("断网", "网速慢", "无信号", "网络不稳定")
# Complaint categories by the words customers use; the backend triages 计费争议 as complex (72 h).
COMPLAINT_KEYWORDS = (
    ("计费争议", ("计费", "扣费", "扣钱", "收费", "多扣", "乱扣", "账单", "话费", "退钱", "退费")),
    ("营销骚扰", ("骚扰", "推销", "营销", "短信轰炸", "打电话推")),
    ("网络质量", ("信号", "网速", "网络", "断网", "掉线")),
    ("服务态度", ("态度", "客服", "营业员", "工作人员", "师傅", "装维")),
    ("处理时效", ("没人管", "没人处理", "太慢", "拖", "几天了", "还没修")),
)
# A fault report that also complains (宽带一下雨就断…打了三次客服没人来): the fault ticket is opened and
# the complaint recorded beside it. The categories a fault report can complain of, most specific first:
# the network itself is the fault, not a second complaint.
COMPLAINT_SIGNALS = (
    "投诉",
    "没人来",
    "没人管",
    "没人处理",
    "没人修",
    "好几次",
    "好几回",
    "几次了",
    "三次",
    "多次",
    "太差",
    "气人",
    "气死",
    "态度",
    "还没修",
    "没修好",
    "修不好",
    "说法",
    "赔偿",
    "退钱",
)
FAULT_COMPLAINTS = (
    (
        "处理时效",
        (
            "没人来",
            "没人管",
            "没人处理",
            "没人修",
            "还没修",
            "没修好",
            "修不好",
            "好几次",
            "好几回",
            "几次了",
            "多次",
            "三次",
            "太慢",
            "拖",
        ),
    ),
    ("服务态度", ("态度", "骂人", "不耐烦", "营业员", "工作人员")),
    ("计费争议", ("扣费", "扣钱", "收费", "退钱", "退费", "赔偿", "交了钱")),
)


def complaint_within_fault(text: str) -> Optional[str]:
    """The complaint category a fault report also carries, or None when it only reports the fault."""
    if not any(signal in text for signal in COMPLAINT_SIGNALS):
        return None
    for category, words in FAULT_COMPLAINTS:
        if any(word in text for word in words):
            return category
    return "处理时效"


# Not a description: the customer asks something else, or gives up (算了 is handled by a rule).
NOT_A_DESCRIPTION = frozenset(
    {
        "deny",
        "affirm",
        "check_balance",
        "query_bill",
        "query_package",
        "query_ticket",
        "cancel_package",
        "pay_bill",
        "faq",
        "request_human",
        "restart",
        "greet",
        "goodbye",
        "thank",
        "rate",
    }
)
RESPONSE_TIME = {
    "urgent": "我们会立即安排处理",
    "routine": "我们将在24小时内回复您",
    "complex": "我们将在72小时内回复您",
}


# A complaint that says it goes further (a regulator, the media) or repeats one that got nowhere.
ESCALATION_WORDS = (
    "工信部",
    "12300",
    "升级投诉",
    "越级",
    "再次投诉",
    "又投诉",
    "第二次投诉",
    "第三次投诉",
    "多次投诉",
    "媒体",
    "曝光",
    "315",
    "消协",
    "起诉",
    "律师",
    "还没解决",
    "一直没解决",
    "没人处理",
)


def escalated(text: str) -> bool:
    return any(word in text for word in ESCALATION_WORDS)


def complaint_category(text: str) -> Optional[str]:
    for category, words in COMPLAINT_KEYWORDS:
        if any(word in text for word in words):
            return category
    return None


def describe(text: str) -> Optional[str]:
    """A free-text description worth keeping: at least a few characters, at most 500."""
    text = text.strip()
    return text[:500] if len(text) >= 4 else None


def opening_or_answer(tracker: Tracker, slot: str, opening_intent: str) -> Dict[Text, Any]:
    """The message that opened the form (a report or complaint describes itself), or the answer
    when `slot` was asked for; nothing once the slot is filled."""
    intent = intent_of(tracker)
    if intent in NOT_A_DESCRIPTION:
        return {}
    if tracker.get_slot(slot) is None and (intent == opening_intent or tracker.get_slot("requested_slot") == slot):
        description = describe(tracker.latest_message.get("text") or "")
        return {slot: description} if description else {}
    return {}


class ValidateFaultForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_fault_form"

    async def extract_fault_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        said = latest_entity(tracker, "fault_type")
        return {"fault_type": said} if said in FAULT_TYPES else {}

    async def extract_fault_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return opening_or_answer(tracker, "fault_description", "report_fault")

    async def extract_fault_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = tracker.latest_message.get("text") or ""
        if intent_of(tracker) in NOT_A_DESCRIPTION:
            return {}
        if tracker.get_slot("requested_slot") == "fault_address" and describe(text):
            return {"fault_address": describe(text)}
        return {}


class ValidateComplaintForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_complaint_form"

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return opening_or_answer(tracker, "complaint_description", "complain")

    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("complaint_category") or intent_of(tracker) in NOT_A_DESCRIPTION:
            return {}
        text = (tracker.latest_message.get("text") or "").strip()
        category = complaint_category(text)
        if category is None and tracker.get_slot("requested_slot") == "complaint_category" and text:
            category = "其他"
        return {"complaint_category": category} if category else {}


class ActionOpenTicket(BackendMixin, Action):
    """Opens the fault or complaint ticket the finished form describes."""

    def name(self) -> Text:
        return "action_open_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet(slot, None) for slot in TICKET_SLOTS]
        if not is_verified(tracker):
            return reset + await after_unverified(self.desk, dispatcher, tracker)
        if tracker.get_slot("fault_type"):
            request = {
                "kind": "故障报修",
                "category": tracker.get_slot("fault_type"),
                "description": tracker.get_slot("fault_description") or tracker.get_slot("fault_type"),
                "address": tracker.get_slot("fault_address"),
            }
        elif tracker.get_slot("complaint_category"):
            request = {
                "kind": "投诉",
                "category": tracker.get_slot("complaint_category"),
                "description": tracker.get_slot("complaint_description") or tracker.get_slot("complaint_category"),
            }
        else:
            return reset
        phone = tracker.get_slot("verified_phone")
        ticket, instead = await submit_ticket(self, dispatcher, tracker, phone, request)
        if ticket is None:
            return reset + instead
        opened(dispatcher, ticket)
        new = [ticket]
        also = complaint_within_fault(request["description"] or "") if request["kind"] == "故障报修" else None
        if also:
            request = {
                "kind": "投诉",
                "category": also,
                "description": f"随故障报修 {ticket['id']} 一并反映：{request['description']}",
            }
            complaint, instead = await submit_ticket(self, dispatcher, tracker, phone, request)
            if complaint is None:
                return reset + noted(tracker, new) + instead
            opened(dispatcher, complaint)
            new.append(complaint)
        if request["kind"] == "投诉" and escalated(request["description"]):
            return reset + await hand_off(self.desk, dispatcher, tracker, "complaint_escalated", opened=new)
        return reset + noted(tracker, new) + await_rating(tracker, "ticket")


def opened(dispatcher: CollectingDispatcher, ticket: Dict[str, Any]) -> None:
    dispatcher.utter_message(
        response="utter_ticket_opened",
        kind=ticket["kind"],
        ticket_id=ticket["id"],
        response_time=RESPONSE_TIME[ticket["priority"]],
        sla_due=ticket["sla_due"][:16].replace("T", " "),
    )


class ValidateTicketForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_ticket_form"


class ActionQueryTicket(BackendMixin, Action):
    def name(self) -> Text:
        return "action_query_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet("ticket_id", None)]
        if not is_verified(tracker):
            return reset + await after_unverified(self.desk, dispatcher, tracker)
        phone, wanted = tracker.get_slot("verified_phone"), tracker.get_slot("ticket_id")
        try:
            tickets = await self.backend.list_tickets(phone)
        except Unavailable:
            return reset + await backend_failed(self.desk, dispatcher, tracker)
        # Only the customer's own tickets: another line's ticket number finds nothing.
        found = [t for t in tickets if t["id"] == wanted] if wanted else tickets[:1]
        if not found:
            dispatcher.utter_message(response="utter_ticket_not_found", ticket_id=wanted or "")
            return reset
        ticket = found[0]
        latest = ticket["history"][-1]
        dispatcher.utter_message(
            response="utter_ticket_status",
            ticket_id=ticket["id"],
            kind=ticket["kind"],
            category=ticket["category"],
            status=ticket["status"],
            note=latest["note"],
            at=latest["at"][:16].replace("T", " "),
        )
        return reset + await_rating(tracker, "ticket_query")
