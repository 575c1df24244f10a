"""Adding a pack (加个流量包 / 办个六块钱的流量包 / 加个语音包), following the 消费提醒 rules.

The customer is verified and names a pack, its price, or only what they need (data, directional,
voice). The bot lists the packs on offer that fit, with this month's usage, and points to a bigger
plan when the line went over its data in most of the last months. Before ordering it states the
price charged from the balance now, that the pack works at once, how long it lasts (a one-off pack
until the end of the month; a monthly one renews until cancelled), and the balance after it, and
asks for 确认办理. The text shown is recorded as a consent; the backend orders and charges only under a
consent covering exactly those terms, once.
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
from actions.formatting import data_size, yuan
from actions.handoff import after_unverified
from actions.identity import BackendMixin, IdentityFormValidation, intent_of, is_verified, latest_entity
from actions.money import to_fen
from actions.orders import order_under_consent
from actions.package_match import match_package
from actions.satisfaction import await_rating
from actions.task_slots import PACK_SLOTS
from bot.clients.base import Rejected, Unavailable
from bot.clients.operator import OperatorClient
from bot.core.text import to_halfwidth

logger = logging.getLogger(__name__)

ORDERABLE = ("data", "directional", "voice")
VOICE = re.compile(r"语音|通话|分钟|电话|打电话")
DIRECTIONAL = re.compile(r"定向|抖音|快手|头条|视频")


def reset_pack_order() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in PACK_SLOTS]


def kind_of(text: str) -> str:
    """The kind of pack the customer asked for: voice, directional or (by default) data (pure)."""
    text = to_halfwidth(text or "")
    if VOICE.search(text):
        return "voice"
    if DIRECTIONAL.search(text):
        return "directional"
    return "data"


def on_offer(catalogue: List[Dict[str, Any]], held: List[str], kind: str) -> List[Dict[str, Any]]:
    """The packs the line can order, the asked-for kind first then by price; a monthly pack the line
    already has is left out (a one-off pack can be bought again)."""
    packs = [
        p
        for p in catalogue
        if p["kind"] == "addon" and p["pack_type"] in ORDERABLE and p["open_to_new"]
        if p["one_off"] or p["name"] not in held
    ]
    return sorted(packs, key=lambda p: (p["pack_type"] != kind, p["monthly_fee_fen"], p["code"]))


def by_price(packs: List[Dict[str, Any]], amount: Any, kind: str) -> Optional[Dict[str, Any]]:
    """The one pack of the asked-for kind at the price named (六块钱的流量包), else None."""
    fen = to_fen(amount)
    priced = [p for p in packs if fen is not None and p["monthly_fee_fen"] == fen]
    of_kind = [p for p in priced if p["pack_type"] == kind] or priced
    return of_kind[0] if len(of_kind) == 1 else None


def pack_facts(pack: Dict[str, Any]) -> str:
    """含1GB全国流量，当月有效 (pure)."""
    gives = []
    if pack["data_mb"]:
        gives.append(data_size(pack["data_mb"]) + ("定向流量" if pack["pack_type"] == "directional" else "全国流量"))
    if pack["voice_min"]:
        gives.append(f"{pack['voice_min']}分钟国内通话")
    lasts = "立即生效，当月有效" if pack["one_off"] else "立即生效，按月续订"
    return f"{yuan(pack['monthly_fee_fen'])}元，含{'、'.join(gives) or pack['description']}，{lasts}"


def _render(domain: DomainDict, response: str, **values: Any) -> str:
    return domain["responses"][response][0]["text"].format(**values)


def usage_hint(domain: DomainDict, history: List[Dict[str, Any]]) -> str:
    """This month's data so far, and a bigger plan when the line went over in most complete months (pure)."""
    if not history:
        return ""
    now = history[-1]
    parts = [
        _render(
            domain,
            "utter_pack_usage_now",
            used=data_size(now["data_used_mb"]),
            allowance=data_size(now["data_allowance_mb"]),
        )
    ]
    complete = [m for m in history if m["complete"]]
    over = sum(1 for m in complete if m["data_over_mb"] > 0)
    if complete and over * 2 > len(complete):
        parts.append(_render(domain, "utter_pack_consider_plan", months=len(complete), over=over))
    return "".join(parts)


def terms_text(domain: DomainDict, quote: Dict[str, Any]) -> str:
    """What the customer is told before confirming a pack (消费提醒), from the quote (pure)."""
    gives = []
    if quote["data_mb"]:
        gives.append(data_size(quote["data_mb"]) + ("定向流量" if quote["pack_type"] == "directional" else "全国流量"))
    if quote["voice_min"]:
        gives.append(f"{quote['voice_min']}分钟国内通话")
    parts = [
        _render(
            domain,
            "utter_pack_terms",
            name=quote["package_name"],
            price=yuan(quote["price_fen"]),
            gives="、".join(gives),
            date=quote["effective_date"],
        )
    ]
    if quote["one_off"]:
        parts.append(_render(domain, "utter_pack_terms_one_off", until=quote["valid_until"]))
    else:
        parts.append(_render(domain, "utter_pack_terms_monthly", price=yuan(quote["price_fen"])))
    parts.append(
        _render(
            domain,
            "utter_pack_terms_balance",
            balance=yuan(quote["balance_fen"]),
            after=yuan(quote["balance_after_fen"]),
        )
    )
    parts.append(_render(domain, "utter_pack_terms_confirm"))
    return "".join(parts)


def pack_subject(tracker: Tracker) -> Optional[Dict[str, Any]]:
    subject = {
        "phone": tracker.get_slot("verified_phone") if is_verified(tracker) else None,
        "package_code": tracker.get_slot("pack_code"),
        "package_name": tracker.get_slot("pack_name"),
    }
    return subject if all(subject.values()) else None


def still_as_shown(tracker: Tracker) -> bool:
    return shown_matches(tracker.get_slot("pack_terms"), pack_subject(tracker))


def opening_message(tracker: Tracker) -> Optional[Dict[str, Any]]:
    for event in reversed(tracker.events):
        parse = event.get("parse_data") or {}
        if event.get("event") == "user" and (parse.get("intent") or {}).get("name") == "add_pack":
            return event
    return None


def opening_entity(tracker: Tracker, entity: str) -> Optional[str]:
    entities = ((opening_message(tracker) or {}).get("parse_data") or {}).get("entities") or []
    values = [e.get("value") for e in entities if e.get("entity") == entity]
    return str(values[-1]) if values else None


def opening_kind(tracker: Tracker) -> str:
    return kind_of(str((opening_message(tracker) or {}).get("text") or ""))


async def offered(backend: OperatorClient, phone: str, kind: str) -> List[Dict[str, Any]]:
    held = [s["name"] for s in await backend.list_subscriptions(phone) if s["status"] == "active"]
    return on_offer(await backend.catalogue(), held, kind)


REFUSALS = {
    "already_subscribed": "utter_pack_already_have",
    "pack_closed": "utter_pack_closed",
    "insufficient_balance": "utter_pack_short_balance",
}


async def resolve(backend: OperatorClient, phone: str, name: str, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """The slots naming the pack to order, or a cleared name and the reason told."""
    try:
        catalogue = [p for p in await backend.catalogue() if p["kind"] == "addon" and p["pack_type"] in ORDERABLE]
    except Unavailable:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return {"pack_name": None}
    found = match_package(name, [p["name"] for p in catalogue])
    if found.candidates:
        dispatcher.utter_message(response="utter_pack_which", options="、".join(found.candidates))
        return {"pack_name": None}
    if found.name is None:
        dispatcher.utter_message(response="utter_pack_unknown", name=name)
        return {"pack_name": None}
    pack = next(p for p in catalogue if p["name"] == found.name)
    try:
        quote = await backend.pack_quote(phone, pack["code"])
    except Unavailable:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return {"pack_name": None}
    except Rejected as error:
        response = REFUSALS.get(error.body.get("reason", ""), "utter_pack_not_possible")
        dispatcher.utter_message(response=response, name=pack["name"])
        return {"pack_name": None}
    if not quote["enough_balance"]:
        dispatcher.utter_message(
            response="utter_pack_short_balance",
            name=pack["name"],
            price=yuan(quote["price_fen"]),
            balance=yuan(quote["balance_fen"]),
        )
        return {"pack_name": None}
    return {"pack_name": pack["name"], "pack_code": pack["code"], "pack_confirmed": None, "pack_terms": None}


class ValidatePackForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_pack_form"

    async def extract_pack_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not is_verified(tracker):
            return {}
        requested = tracker.get_slot("requested_slot")
        said = latest_entity(tracker, "package_name")
        intent = intent_of(tracker)
        confirming = requested == "pack_confirmed" and intent == "affirm"
        if said and (requested == "pack_name" or intent in ("add_pack", "inform") or confirming):
            return {"pack_name": said}
        if requested != "pack_name":
            return {}
        try:
            packs = await offered(self.backend, tracker.get_slot("verified_phone"), opening_kind(tracker))
        except Unavailable:
            return {}
        picked = pick_by_reply(tracker.latest_message.get("text") or "", packs) or by_price(
            packs, latest_entity(tracker, "amount"), opening_kind(tracker)
        )
        return {"pack_name": picked["name"]} if picked else {}

    async def extract_pack_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") == "pack_confirmed" and intent_of(tracker) == "affirm":
            return {"pack_confirmed": True} if still_as_shown(tracker) else {}
        return {}

    async def validate_service_password(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = await super().validate_service_password(value, dispatcher, tracker, domain)
        if not result.get("identity_verified") or tracker.get_slot("pack_name"):
            return result
        phone = result["verified_phone"]
        named = opening_entity(tracker, "package_name")
        if named is None and opening_entity(tracker, "amount") is not None:
            try:
                packs = await offered(self.backend, phone, opening_kind(tracker))
            except Unavailable:
                packs = []
            priced = by_price(packs, opening_entity(tracker, "amount"), opening_kind(tracker))
            named = priced["name"] if priced else None
        if named:
            result.update(await resolve(self.backend, phone, named, dispatcher))
        return result

    async def validate_pack_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not is_verified(tracker):
            return {"pack_name": None}
        if still_as_shown(tracker):
            return {"pack_name": value}
        return await resolve(self.backend, tracker.get_slot("verified_phone"), str(value), dispatcher)

    async def validate_pack_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"pack_confirmed": True if value is True and still_as_shown(tracker) else None}


class ActionAskPackName(BackendMixin, Action):
    """Lists the packs on offer that fit what was asked, with this month's usage."""

    def name(self) -> Text:
        return "action_ask_pack_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        phone = tracker.get_slot("verified_phone")
        try:
            packs = await offered(self.backend, phone, opening_kind(tracker))
            history = await self.backend.usage(phone)
        except Unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        if not packs:
            dispatcher.utter_message(response="utter_pack_nothing")
            return []
        listed = "\n".join(f"{n}. {p['name']}：{pack_facts(p)}" for n, p in enumerate(packs, start=1))
        buttons = [{"title": p["name"], "payload": f'/inform{{"package_name": "{p["name"]}"}}'} for p in packs]
        dispatcher.utter_message(
            response="utter_ask_pack_name", usage=usage_hint(domain, history), options=listed, buttons=buttons
        )
        return []


class ActionAskPackConfirmed(BackendMixin, Action):
    """States the 消费提醒 terms of the pack and asks for 确认办理; keeps the exact text shown."""

    def name(self) -> Text:
        return "action_ask_pack_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        subject = pack_subject(tracker)
        if subject is None:
            dispatcher.utter_message(response="utter_pack_not_possible", name="")
            return [SlotSet("pack_terms", None)]
        try:
            quote = await self.backend.pack_quote(subject["phone"], subject["package_code"])
        except Unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return [SlotSet("pack_terms", None)]
        except Rejected as error:
            response = REFUSALS.get(error.body.get("reason", ""), "utter_pack_not_possible")
            dispatcher.utter_message(response=response, name=subject["package_name"])
            return [SlotSet("pack_terms", None), SlotSet("pack_name", None)]
        if (quote["package_code"], quote["package_name"]) != (subject["package_code"], subject["package_name"]):
            logger.warning("the pack quote is for another pack than the one named")
            dispatcher.utter_message(response="utter_pack_not_possible", name=subject["package_name"])
            return [SlotSet("pack_terms", None)]
        text = terms_text(domain, quote)
        dispatcher.utter_message(
            text=text, buttons=[{"title": "确认办理", "payload": "/affirm"}, {"title": "算了", "payload": "/deny"}]
        )
        terms = {"subject": quote["consent_subject"], "shown_text": text, "fingerprint": fingerprint(subject)}
        return [SlotSet("pack_terms", terms)]


class ActionAddPack(BackendMixin, Action):
    def name(self) -> Text:
        return "action_add_pack"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        terms = tracker.get_slot("pack_terms")
        if not is_verified(tracker):
            return reset_pack_order() + await after_unverified(self.desk, dispatcher, tracker)
        if tracker.get_slot("pack_confirmed") is not True or not terms:
            return reset_pack_order()
        if not still_as_shown(tracker) or terms["subject"].get("package_code") != tracker.get_slot("pack_code"):
            dispatcher.utter_message(response="utter_pack_terms_changed")
            return reset_pack_order()
        phone, code, name = (
            tracker.get_slot("verified_phone"),
            tracker.get_slot("pack_code"),
            tracker.get_slot("pack_name"),
        )
        try:
            result = await order_under_consent(
                self.backend,
                tracker,
                "add_pack",
                terms,
                lambda consent_id: self.backend.add_pack(phone, code, consent_id),
            )
        except Rejected as error:
            logger.info("pack order refused: %s", error)
            if error.body.get("reason") == "insufficient_balance":
                dispatcher.utter_message(
                    response="utter_pack_short_balance",
                    name=name,
                    price=yuan(error.body["price_fen"]),
                    balance=yuan(error.body["balance_fen"]),
                )
            else:
                dispatcher.utter_message(response="utter_pack_terms_changed")
            return reset_pack_order()
        except Unavailable:
            dispatcher.utter_message(response="utter_pack_unconfirmed")
            return reset_pack_order()
        dispatcher.utter_message(
            response="utter_pack_added",
            name=result["package_name"],
            price=yuan(result["price_fen"]),
            lasts=f"当月有效，{result['valid_until']}到期"
            if result["one_off"]
            else "次月起按月续订，不需要时可随时退订",
        )
        return reset_pack_order() + await_rating(tracker, "add_pack")
