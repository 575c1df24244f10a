"""Bills: a month's bill (本月 / 上个月 / N月) with its itemised lines, 话费 and/or 宽带."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clock import Today, china_today
from actions.formatting import yuan
from actions.handoff import after_unverified, backend_failed
from actions.identity import BackendMixin, IdentityFormValidation, is_verified
from actions.months import cycle_for, spoken
from actions.satisfaction import await_rating
from bot.clients.base import Unavailable
from bot.clients.desk import DeskClient
from bot.clients.operator import OperatorClient


class ValidateBillForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_bill_form"


def item_lines(items: List[Dict[str, Any]]) -> str:
    return "\n".join(f"· {item['description']} {yuan(item['amount_fen'])} 元" for item in items)


class ActionQueryBill(BackendMixin, Action):
    def __init__(
        self, backend: Optional[OperatorClient] = None, today: Today = china_today, desk: Optional[DeskClient] = None
    ) -> None:
        super().__init__(backend, desk)
        self._today = today

    def name(self) -> Text:
        return "action_query_bill"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet("month", None), SlotSet("bill_type", None)]
        if not is_verified(tracker):
            return reset + await after_unverified(self.desk, dispatcher, tracker)
        today = self._today()
        cycle = cycle_for(tracker.get_slot("month"), today)
        if cycle is None:
            dispatcher.utter_message(response="utter_invalid_month")
            return reset
        bill_type = tracker.get_slot("bill_type")
        try:
            bills = await self.backend.list_bills(tracker.get_slot("verified_phone"), bill_type=bill_type, month=cycle)
        except Unavailable:
            return reset + await backend_failed(self.desk, dispatcher, tracker)
        month = spoken(cycle, today)
        if not bills:
            dispatcher.utter_message(response="utter_no_bill", month=month, bill_type=bill_type or "")
            return reset
        for bill in bills:
            common = {"month": month, "bill_type": bill["bill_type"], "total": yuan(bill["amount_fen"])}
            if bill["status"] == "paid":
                dispatcher.utter_message(response="utter_bill_paid", **common)
            else:
                dispatcher.utter_message(
                    response="utter_bill_unpaid", outstanding=yuan(bill["outstanding_fen"]), **common
                )
            if bill["items"]:
                dispatcher.utter_message(response="utter_bill_items", items=item_lines(bill["items"]))
        return reset + await_rating(tracker, "bill")
