"""账单解读: why a bill differs from the month before, in two or three plain sentences, then the next
step that fits (a subscription the customer may not have ordered, one to cancel, repeated overage).

The sentences are the domain's templates (domain/bills.yml, `utter_bill_change_*`, `utter_bill_reason_*`,
`utter_bill_next_*`) filled by the pure `explanation` below; the action only fetches.
"""

import datetime as dt
import re
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clock import Today, china_today
from actions.formatting import data_size, yuan
from actions.handoff import after_unverified, backend_failed
from actions.identity import BackendMixin, IdentityFormValidation, is_verified
from actions.months import cycle_for, spoken
from actions.satisfaction import await_rating
from bot.clients.base import Rejected, Unavailable
from bot.clients.desk import DeskClient
from bot.clients.operator import OperatorClient

REASONS_SHOWN = 3  # the largest changes; the rest are in the itemised bill
MOVEMENTS_SHOWN = 6  # the latest movements of the balance
# 我刚充了五十怎么变成四十五 / 余额怎么少了: the balance's movements answer it, not the bill.
BALANCE_WORDS = re.compile(r"余额|充了|充的|充进|刚充|刚交|交的钱|变成|钱没了|钱少了")


def asks_about_the_balance(text: str) -> bool:
    return bool(BALANCE_WORDS.search(text or ""))


def seen_moment(seen: Any) -> Optional[str]:
    """When the balance was last shown in this conversation (the balance_seen slot), or None."""
    if isinstance(seen, dict) and isinstance(seen.get("at"), str) and isinstance(seen.get("balance_fen"), int):
        return seen["at"]
    return None


def spoken_moment(at: str) -> str:
    """2026-11-22T10:05:00+08:00 -> 11月22日10:05 (pure)."""
    return f"{int(at[5:7])}月{int(at[8:10])}日{at[11:16]}"


def movement_lines(responses: Mapping[str, Any], moved: Dict[str, Any], seen: Any = None) -> List[str]:
    """The balance's top-ups and charges since it was last shown in this conversation (else since
    the month began), the latest ones, and the balance now."""
    moves = moved["movements"][-MOVEMENTS_SHOWN:]
    balance = yuan(moved["balance_fen"])
    since = seen_moment(seen)
    if since is not None:
        told = {"time": spoken_moment(since), "seen": yuan(seen["balance_fen"]), "balance": balance}
        if not moves:
            return [_render(responses, "utter_balance_no_movements_since", **told)]
    if not moves:
        return [_render(responses, "utter_balance_no_movements", balance=balance)]
    lines = "\n".join(
        f"· {int(move['at'][5:7])}月{int(move['at'][8:10])}日 {move['description']} "
        f"{'+' if move['amount_fen'] > 0 else ''}{yuan(move['amount_fen'])} 元"
        for move in moves
    )
    if since is not None:
        return [_render(responses, "utter_balance_movements_since", lines=lines, **told)]
    return [_render(responses, "utter_balance_movements", lines=lines, balance=balance)]


def _render(responses: Mapping[str, Any], template: str, **values: Any) -> str:
    return str(responses[template][0]["text"]).format(**values)


def _reason(responses: Mapping[str, Any], change: Dict[str, Any], previous: str) -> str:
    kind = change["kind"]
    values = {
        "description": change["description"],
        "amount": yuan(change["amount_fen"]),
        "previous_amount": yuan(change["previous_fen"]),
        "previous": previous,
    }
    if kind == "overage":
        before = change.get("previous_data_over_mb") or 0
        values.update(
            over=data_size(change.get("data_over_mb") or 0),
            price=yuan(change.get("fen_per_gb") or 0).rstrip("0").rstrip("."),
            previous_over=data_size(before),
        )
        name = "utter_bill_reason_overage" if change["previous_fen"] else "utter_bill_reason_overage_new"
        if not change["amount_fen"]:
            name = "utter_bill_reason_overage_gone"
        return _render(responses, name, **values)
    if kind == "new_subscription" and change.get("subscription"):
        subscription = change["subscription"]
        order = subscription.get("order") or {}
        values.update(name=subscription["name"], date=(order.get("ordered_at") or "")[:10] or "近期")
        values.update(channel=order.get("channel") or "其他渠道")
        return _render(responses, "utter_bill_reason_new_subscription", **values)
    name = {
        "ended_subscription": "utter_bill_reason_ended",
        "fee_changed": "utter_bill_reason_changed",
        "charge_changed": "utter_bill_reason_changed",
        "charge_gone": "utter_bill_reason_gone",
    }.get(kind, "utter_bill_reason_new_charge" if not change["previous_fen"] else "utter_bill_reason_changed")
    return _render(responses, name, **values)


def _next_step(
    responses: Mapping[str, Any], changes: List[Dict[str, Any]], usage: List[Dict[str, Any]]
) -> Optional[str]:
    """One offer: a new subscription without the customer's confirmation on record first, then one
    with it, then data beyond the plan in two or more of the last complete months."""
    new = [c for c in changes if c["kind"] == "new_subscription" and c.get("subscription")]
    unconfirmed = [c for c in new if not (c["subscription"].get("order") or {}).get("confirmation")]
    if unconfirmed:
        return _render(responses, "utter_bill_next_dispute", name=unconfirmed[0]["subscription"]["name"])
    if new:
        return _render(responses, "utter_bill_next_cancel", name=new[0]["subscription"]["name"])
    complete = [month for month in usage if month.get("complete")]
    over = sum(1 for month in complete if month.get("data_over_mb"))
    if over >= 2:
        return _render(responses, "utter_bill_next_plan", months=len(complete), over=over)
    return None


def explanation(
    responses: Mapping[str, Any], explained: Dict[str, Any], usage: List[Dict[str, Any]], today: dt.date
) -> List[str]:
    """The messages: the total against the month before, the largest changes, and the next step."""
    month = spoken(explained["month"], today)
    total = yuan(explained["amount_fen"])
    kind = explained["bill_type"]
    if not explained.get("previous_month"):
        return [_render(responses, "utter_bill_change_first", month=month, bill_type=kind, total=total)]
    previous = spoken(explained["previous_month"], today)
    difference = explained["difference_fen"]
    name = "utter_bill_change_more" if difference > 0 else "utter_bill_change_less" if difference < 0 else None
    values = {
        "month": month,
        "bill_type": kind,
        "total": total,
        "previous": previous,
        "difference": yuan(abs(difference)),
    }
    messages = [_render(responses, name or "utter_bill_change_same", **values)]
    changes = explained["changes"]
    if changes:
        reasons = "；".join(_reason(responses, change, previous) for change in changes[:REASONS_SHOWN])
        messages.append(_render(responses, "utter_bill_change_reasons", reasons=reasons))
    step = _next_step(responses, changes, usage)
    if step:
        messages.append(step)
    return messages


class ValidateExplainForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_explain_form"


class ActionExplainBill(BackendMixin, Action):
    """账单解读 of the month named (default: last month's bill, the latest complete one)."""

    def __init__(
        self, backend: Optional[OperatorClient] = None, today: Today = china_today, desk: Optional[DeskClient] = None
    ) -> None:
        super().__init__(backend, desk)
        self._today = today

    def name(self) -> Text:
        return "action_explain_bill"

    @staticmethod
    def _asked(tracker: Tracker) -> str:
        """The message that asked for the explanation (identity may have been asked in between)."""
        for event in reversed(tracker.events):
            parse = event.get("parse_data") or {}
            if event.get("event") == "user" and (parse.get("intent") or {}).get("name") == "explain_bill":
                return str(event.get("text") or "")
        return str(tracker.latest_message.get("text") or "")

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet("month", None), SlotSet("bill_type", None)]
        if not is_verified(tracker):
            return reset + await after_unverified(self.desk, dispatcher, tracker)
        today = self._today()
        cycle = cycle_for(tracker.get_slot("month") or "上个月", today)
        if cycle is None:
            dispatcher.utter_message(response="utter_invalid_month")
            return reset
        phone = tracker.get_slot("verified_phone")
        bill_type = tracker.get_slot("bill_type") or "话费"
        if not tracker.get_slot("month") and asks_about_the_balance(self._asked(tracker)):
            try:
                seen = tracker.get_slot("balance_seen")
                moved = await self.backend.balance_movements(phone, since=seen_moment(seen))
            except (Unavailable, Rejected):
                return reset + await backend_failed(self.desk, dispatcher, tracker)
            for message in movement_lines(domain["responses"], moved, seen):
                dispatcher.utter_message(text=message)
            return reset + await_rating(tracker, "explain_bill")
        try:
            explained = await self.backend.explain_bill(phone, cycle, bill_type)
            usage = await self.backend.usage(phone)
        except Rejected as error:
            if error.status != 404:
                return reset + await backend_failed(self.desk, dispatcher, tracker)
            dispatcher.utter_message(response="utter_no_bill", month=spoken(cycle, today), bill_type=bill_type)
            return reset
        except Unavailable:
            return reset + await backend_failed(self.desk, dispatcher, tracker)
        for message in explanation(domain["responses"], explained, usage, today):
            dispatcher.utter_message(text=message)
        return reset + await_rating(tracker, "explain_bill")
