"""Balances and usage: 话费 / 流量 / 语音, as asked (all three when unspecified)."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.formatting import data_size, yuan
from actions.handoff import after_unverified, backend_failed
from actions.identity import BackendMixin, IdentityFormValidation, is_verified
from actions.satisfaction import await_rating
from bot.clients.base import Unavailable

BALANCE_TYPES = ("话费", "流量", "语音")


class ValidateBalanceForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_balance_form"


def wanted_types(value: Any) -> List[str]:
    asked = [value] if isinstance(value, str) else list(value or [])
    chosen = [kind for kind in BALANCE_TYPES if kind in asked]
    return chosen or list(BALANCE_TYPES)


class ActionCheckBalance(BackendMixin, Action):
    def name(self) -> Text:
        return "action_check_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet("balance_type", None), SlotSet("bill_type", None)]
        if not is_verified(tracker):
            if not tracker.get_slot("identity_locked"):
                # Asked in the middle of another task, before identity was checked.
                dispatcher.utter_message(response="utter_balance_needs_identity")
                return reset
            return reset + await after_unverified(self.desk, dispatcher, tracker)
        try:
            balance = await self.backend.get_balance(tracker.get_slot("verified_phone"))
        except Unavailable:
            return reset + await backend_failed(self.desk, dispatcher, tracker)
        # 查下话费 names the bill type, not the balance type: it asks for the money balance.
        asked = tracker.get_slot("balance_type")
        if not asked and tracker.get_slot("bill_type") == "话费":
            asked = ["话费"]
        seen = []
        for kind in wanted_types(asked):
            if kind == "话费":
                # What the customer saw, so 余额怎么少了 later answers from that moment on.
                seen = [SlotSet("balance_seen", {"at": balance["as_of"], "balance_fen": balance["balance_fen"]})]
                if balance["in_arrears"]:
                    dispatcher.utter_message(response="utter_balance_arrears", arrears=yuan(balance["arrears_fen"]))
                else:
                    dispatcher.utter_message(response="utter_balance_money", balance=yuan(balance["balance_fen"]))
            elif kind == "流量":
                data = balance["data_mb"]
                dispatcher.utter_message(
                    response="utter_balance_data",
                    total=data_size(data["total"]),
                    used=data_size(data["used"]),
                    left=data_size(data["left"]),
                )
            else:
                voice = balance["voice_min"]
                dispatcher.utter_message(
                    response="utter_balance_voice", total=voice["total"], used=voice["used"], left=voice["left"]
                )
        return reset + seen + await_rating(tracker, "balance")
