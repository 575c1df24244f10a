"""Changing the main plan (换套餐), following the 消费提醒 rules.

The customer is verified and says what they want in their own words: cheaper, more data, or a named
plan. The bot lists the open plans that fit, each with what it would have cost them over the last
complete months, and recommends from their own usage (超出套餐部分平均每月多付 30 元; 升级后每月多 20
元但不再超出). A downgrade inside a contract term is refused with its reason and the date it becomes
possible. Before anything changes it states the new fee, the effective date (the 1st of next month),
the contract term and what stops with the old plan, and asks for 确认办理. The text shown is recorded
as a consent; the backend changes the plan only under a consent covering exactly those terms, once.
"""

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cancellation import pick_by_reply
from actions.consent import fingerprint, shown_matches
from actions.formatting import data_size, mask_phone, yuan
from actions.handoff import after_unverified
from actions.identity import BackendMixin, IdentityFormValidation, intent_of, is_verified, latest_entity
from actions.orders import order_under_consent
from actions.package_match import match_package
from actions.satisfaction import await_rating
from actions.task_slots import PLAN_SLOTS
from bot.clients.base import Rejected, Unavailable
from bot.clients.operator import OperatorClient
from bot.core.text import to_halfwidth

logger = logging.getLogger(__name__)

CHEAPER = re.compile(r"便宜|省钱|太贵|贵了|降档|降级|降套餐|低一[点档些]|少花|划算|实惠|低消|月租低|少一点")
MORE_DATA = re.compile(
    r"流量.{0,4}(?:不够|超|太少|用完|不足)|升档|升级|(?:大|多)一?[点些]?的套餐|多一?[点些]?流量|流量(?:多|大)|不够用|超套餐"
)
REFUSALS = {
    "in_contract": "utter_plan_refused_in_contract",
    "same_plan": "utter_plan_same",
    "plan_closed": "utter_plan_closed",
    "change_scheduled": "utter_plan_already_scheduled",
    "no_main_plan": "utter_plan_not_possible",
}


def reset_plan_change() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in PLAN_SLOTS]


def want_of(text: str) -> str:
    """What the customer asked for, in the backend's words: cheaper, more_data or any (pure)."""
    text = to_halfwidth(text or "")
    if CHEAPER.search(text):
        return "cheaper"
    if MORE_DATA.search(text):
        return "more_data"
    return "any"


def opening_message(tracker: Tracker) -> Optional[Dict[str, Any]]:
    for event in reversed(tracker.events):
        parse = event.get("parse_data") or {}
        if event.get("event") == "user" and (parse.get("intent") or {}).get("name") == "change_plan":
            return event
    return None


def opening_plan(tracker: Tracker) -> Optional[str]:
    entities = ((opening_message(tracker) or {}).get("parse_data") or {}).get("entities") or []
    names = [e.get("value") for e in entities if e.get("entity") == "package_name"]
    return str(names[-1]) if names else None


def plan_subject(tracker: Tracker) -> Optional[Dict[str, Any]]:
    subject = {
        "phone": tracker.get_slot("verified_phone") if is_verified(tracker) else None,
        "plan_code": tracker.get_slot("plan_code"),
        "plan_name": tracker.get_slot("plan_name"),
    }
    return subject if all(subject.values()) else None


def still_as_shown(tracker: Tracker) -> bool:
    return shown_matches(tracker.get_slot("plan_terms"), plan_subject(tracker))


def _render(domain: DomainDict, response: str, **values: Any) -> str:
    return domain["responses"][response][0]["text"].format(**values)


def plan_facts(plan: Dict[str, Any]) -> str:
    """129.00元/月，30GB流量、500分钟通话，合约24个月 (pure)."""
    facts = f"{yuan(plan['monthly_fee_fen'])}元/月，{data_size(plan['data_mb'])}流量、{plan['voice_min']}分钟通话"
    return facts + (f"，合约{plan['contract_months']}个月" if plan.get("contract_months") else "，无合约")


def usage_text(domain: DomainDict, advice: Dict[str, Any]) -> str:
    """The line's own usage over the last complete months, as the advice rests on it (pure)."""
    usage, current = advice["usage"], advice["current"]
    if not usage["months"]:
        return ""
    values = {
        "months": usage["months"],
        "data": data_size(usage["average_data_used_mb"]),
        "voice": usage["average_voice_used_min"],
        "plan": current["name"],
        "allowance": data_size(current["data_mb"]),
    }
    if usage["months_over"]:
        return _render(
            domain,
            "utter_plan_usage_over",
            **values,
            months_over=usage["months_over"],
            overage=yuan(usage["average_overage_fen"]),
        )
    return _render(domain, "utter_plan_usage_within", **values)


def option_line(number: int, option: Dict[str, Any]) -> str:
    plan, refused = option["plan"], option["refused"]
    line = f"{number}. {plan['name']}：{plan_facts(plan)}；按您的用量预计每月约{yuan(option['expected_monthly_fen'])}元"
    if refused and refused.get("reason") == "in_contract":
        line += f"（合约期内不能降档，{refused['possible_from']}起可办）"
    lost, slots = len(option["family_members_lost"]), option["plan"]["family_slots"]
    if lost:
        line += (
            f"（不含亲情副卡共享，{lost}名副卡将不再共享）"
            if not slots
            else f"（只能共享{slots}名亲情副卡，{lost}名将不再共享）"
        )
    return line


def advice_text(domain: DomainDict, advice: Dict[str, Any]) -> str:
    """The recommendation from the customer's own usage, or that their plan already fits best (pure)."""
    current = advice["current"]
    code = advice["recommended"]
    if all(o["refused"] for o in advice["options"]):
        in_contract = [o["refused"] for o in advice["options"] if o["refused"]["reason"] == "in_contract"]
        if in_contract:
            return _render(
                domain,
                "utter_plan_all_in_contract",
                plan=current["name"],
                contract_end=in_contract[0]["contract_end"],
                possible_from=in_contract[0]["possible_from"],
            )
    if code is None:
        return _render(domain, "utter_plan_current_fits", plan=current["name"])
    option = next(o for o in advice["options"] if o["plan"]["code"] == code)
    difference = option["fee_difference_fen"]
    fee = f"月费多{yuan(difference)}元" if difference > 0 else f"月费少{yuan(-difference)}元"
    if difference > 0 and option["expected_overage_fen"] == 0:
        fee += "，但按您的用量不再超出"
    return _render(
        domain, "utter_plan_recommend", plan=option["plan"]["name"], fee=fee, saving=yuan(advice["monthly_saving_fen"])
    )


def choices(advice: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The listed plans as the customer can pick them (by number, name or button)."""
    return [{"name": o["plan"]["name"], "code": o["plan"]["code"]} for o in advice["options"]]


def terms_text(domain: DomainDict, terms: Dict[str, Any]) -> str:
    """What the customer is told before confirming a plan change (消费提醒), from the quote (pure)."""
    parts = [
        _render(
            domain,
            "utter_plan_terms",
            plan=terms["plan_name"],
            fee=yuan(terms["monthly_fee_fen"]),
            data=data_size(terms["data_mb"]),
            voice=terms["voice_min"],
            date=terms["effective_date"],
            old_plan=terms["from_plan"],
            last_day=terms["old_plan_last_day"],
        )
    ]
    if terms["contract_months"]:
        parts.append(
            _render(domain, "utter_plan_terms_contract", months=terms["contract_months"], end=terms["contract_end"])
        )
    elif terms["contract_end"]:
        parts.append(_render(domain, "utter_plan_terms_old_contract", end=terms["contract_end"]))
    else:
        parts.append(_render(domain, "utter_plan_terms_no_contract"))
    if terms["family_members_lost"]:
        members = "、".join(mask_phone(member) for member in terms["family_members_lost"])
        parts.append(_render(domain, "utter_plan_terms_family", members=members, date=terms["effective_date"]))
    parts.append(_render(domain, "utter_plan_terms_confirm"))
    return "".join(parts)


def say_refusal(dispatcher: CollectingDispatcher, name: str, details: Dict[str, Any]) -> None:
    response = REFUSALS.get(details.get("reason", ""), "utter_plan_not_possible")
    values = {key: details[key] for key in ("contract_end", "possible_from", "effective_date") if key in details}
    if response == "utter_plan_already_scheduled":
        name = details.get("plan_name", name)
    dispatcher.utter_message(response=response, name=name, **values)


async def main_plans(backend: OperatorClient) -> List[Dict[str, Any]]:
    return [p for p in await backend.catalogue() if p["kind"] == "main"]


async def resolve(backend: OperatorClient, phone: str, name: str, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """The slots naming the plan to change to, or a cleared name and the reason told."""
    try:
        plans = await main_plans(backend)
    except Unavailable:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return {"plan_name": None}
    found = match_package(name, [p["name"] for p in plans])
    if found.candidates:
        dispatcher.utter_message(response="utter_plan_which", options="、".join(found.candidates))
        return {"plan_name": None}
    if found.name is None:
        dispatcher.utter_message(response="utter_plan_unknown", name=name)
        return {"plan_name": None}
    plan = next(p for p in plans if p["name"] == found.name)
    try:
        await backend.plan_change_quote(phone, plan["code"])
    except Unavailable:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return {"plan_name": None}
    except Rejected as error:
        say_refusal(dispatcher, plan["name"], error.body)
        return {"plan_name": None}
    return {"plan_name": plan["name"], "plan_code": plan["code"], "plan_confirmed": None, "plan_terms": None}


class ValidatePlanForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_plan_form"

    async def extract_plan_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not is_verified(tracker):
            return {}
        requested = tracker.get_slot("requested_slot")
        said = latest_entity(tracker, "package_name")
        intent = intent_of(tracker)
        confirming = requested == "plan_confirmed" and intent == "affirm"
        if said and (requested == "plan_name" or intent in ("change_plan", "inform") or confirming):
            return {"plan_name": said}
        if requested != "plan_name":
            return {}
        try:
            advice = await self.backend.plan_options(
                tracker.get_slot("verified_phone"), want_of(_opening_text(tracker))
            )
        except (Unavailable, Rejected):
            return {}
        picked = pick_by_reply(tracker.latest_message.get("text") or "", choices(advice))
        return {"plan_name": picked["name"]} if picked else {}

    async def extract_plan_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") == "plan_confirmed" and intent_of(tracker) == "affirm":
            return {"plan_confirmed": True} if still_as_shown(tracker) else {}
        return {}

    async def validate_service_password(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = await super().validate_service_password(value, dispatcher, tracker, domain)
        named = opening_plan(tracker)
        if result.get("identity_verified") and named and not tracker.get_slot("plan_name"):
            result.update(await resolve(self.backend, result["verified_phone"], named, dispatcher))
        return result

    async def validate_plan_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not is_verified(tracker):
            return {"plan_name": None}
        if still_as_shown(tracker):
            return {"plan_name": value}
        return await resolve(self.backend, tracker.get_slot("verified_phone"), str(value), dispatcher)

    async def validate_plan_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"plan_confirmed": True if value is True and still_as_shown(tracker) else None}


def _opening_text(tracker: Tracker) -> str:
    return str((opening_message(tracker) or {}).get("text") or "")


class ActionAskPlanName(BackendMixin, Action):
    """Lists the fitting plans with what each would cost the customer, and recommends one."""

    def name(self) -> Text:
        return "action_ask_plan_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        phone = tracker.get_slot("verified_phone")
        want = want_of(_opening_text(tracker))
        try:
            advice = await self.backend.plan_options(phone, want)
            if not advice["options"] and want != "any":
                want, advice = "any", await self.backend.plan_options(phone, "any")
        except Unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        except Rejected as error:
            say_refusal(dispatcher, "", error.body)
            return []
        if advice["scheduled"]:
            scheduled = advice["scheduled"]
            dispatcher.utter_message(
                response="utter_plan_already_scheduled", name=scheduled["name"], effective_date=scheduled["started_on"]
            )
            return []
        if not advice["options"]:
            dispatcher.utter_message(response="utter_plan_no_options", plan=advice["current"]["name"])
            return []
        listed = "\n".join(option_line(n, o) for n, o in enumerate(advice["options"], start=1))
        buttons = [
            {"title": o["plan"]["name"], "payload": f'/inform{{"package_name": "{o["plan"]["name"]}"}}'}
            for o in advice["options"]
            if o["refused"] is None
        ]
        dispatcher.utter_message(
            response="utter_ask_plan_name",
            current=advice["current"]["name"],
            fee=yuan(advice["current"]["monthly_fee_fen"]),
            usage=usage_text(domain, advice),
            options=listed,
            advice=advice_text(domain, advice),
            buttons=buttons,
        )
        return []


class ActionAskPlanConfirmed(BackendMixin, Action):
    """States the 消费提醒 terms of the change and asks for 确认办理; keeps the exact text shown."""

    def name(self) -> Text:
        return "action_ask_plan_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        subject = plan_subject(tracker)
        if subject is None:
            dispatcher.utter_message(response="utter_plan_not_possible")
            return [SlotSet("plan_terms", None)]
        try:
            quote = await self.backend.plan_change_quote(subject["phone"], subject["plan_code"])
        except Unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return [SlotSet("plan_terms", None)]
        except Rejected as error:
            say_refusal(dispatcher, subject["plan_name"], error.body)
            return [SlotSet("plan_terms", None), SlotSet("plan_name", None)]
        if (quote["plan_code"], quote["plan_name"]) != (subject["plan_code"], subject["plan_name"]):
            logger.warning("the plan-change quote is for another plan than the one named")
            dispatcher.utter_message(response="utter_plan_not_possible")
            return [SlotSet("plan_terms", None)]
        text = terms_text(domain, quote)
        dispatcher.utter_message(
            text=text, buttons=[{"title": "确认办理", "payload": "/affirm"}, {"title": "算了", "payload": "/deny"}]
        )
        terms = {"subject": quote["consent_subject"], "shown_text": text, "fingerprint": fingerprint(subject)}
        return [SlotSet("plan_terms", terms)]


class ActionChangePlan(BackendMixin, Action):
    def name(self) -> Text:
        return "action_change_plan"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        terms = tracker.get_slot("plan_terms")
        if not is_verified(tracker):
            return reset_plan_change() + await after_unverified(self.desk, dispatcher, tracker)
        if tracker.get_slot("plan_confirmed") is not True or not terms:
            return reset_plan_change()
        if not still_as_shown(tracker) or terms["subject"].get("plan_code") != tracker.get_slot("plan_code"):
            dispatcher.utter_message(response="utter_plan_terms_changed")
            return reset_plan_change()
        phone, code = tracker.get_slot("verified_phone"), tracker.get_slot("plan_code")
        try:
            result = await order_under_consent(
                self.backend,
                tracker,
                "change_plan",
                terms,
                lambda consent_id: self.backend.change_plan(phone, code, consent_id),
            )
        except Rejected as error:
            logger.info("plan change refused: %s", error)
            if error.body.get("reason") in REFUSALS:  # e.g. a repeated 确认: the change is scheduled already
                say_refusal(dispatcher, tracker.get_slot("plan_name"), error.body)
            else:
                dispatcher.utter_message(response="utter_plan_terms_changed")
            return reset_plan_change()
        except Unavailable:
            dispatcher.utter_message(response="utter_plan_unconfirmed")
            return reset_plan_change()
        dispatcher.utter_message(
            response="utter_plan_changed",
            plan=result["plan_name"],
            date=result["effective_date"],
            fee=yuan(result["monthly_fee_fen"]),
            old_plan=result["from_plan"],
        )
        return reset_plan_change() + await_rating(tracker, "change_plan")
