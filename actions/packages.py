"""Packages: the customer's main plan, add-ons and broadband, with contract end dates."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.formatting import mask_phone, yuan
from actions.handoff import after_unverified, backend_failed
from actions.identity import BackendMixin, IdentityFormValidation, is_verified
from actions.satisfaction import await_rating
from bot.clients.base import Unavailable


class ValidatePackageForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_package_form"


def describe_addon(subscription: Dict[str, Any]) -> str:
    return f"{subscription['name']}（{yuan(subscription['monthly_fee_fen'])} 元/月）"


class ActionQueryPackage(BackendMixin, Action):
    def name(self) -> Text:
        return "action_query_package"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if not is_verified(tracker):
            return await after_unverified(self.desk, dispatcher, tracker)
        try:
            subscriptions = await self.backend.list_subscriptions(tracker.get_slot("verified_phone"))
        except Unavailable:
            return await backend_failed(self.desk, dispatcher, tracker)
        by_kind: Dict[str, List[Dict[str, Any]]] = {"main": [], "addon": [], "broadband": []}
        for subscription in subscriptions:
            by_kind.setdefault(subscription["kind"], []).append(subscription)
        for plan in by_kind["main"]:
            fee = yuan(plan["monthly_fee_fen"])
            if plan["in_contract"]:
                dispatcher.utter_message(
                    response="utter_package_main_contract",
                    name=plan["name"],
                    fee=fee,
                    contract_end=plan["contract_end"],
                    penalty=yuan(plan["early_termination_fee_fen"]),
                )
            else:
                dispatcher.utter_message(response="utter_package_main", name=plan["name"], fee=fee)
            if plan["status"] == "cancel_pending":
                dispatcher.utter_message(
                    response="utter_package_cancel_pending", name=plan["name"], date=plan["cancel_effective"]
                )
            if plan["family_members"]:
                members = "、".join(mask_phone(member) for member in plan["family_members"])
                dispatcher.utter_message(response="utter_package_family", members=members)
        # A cancelled add-on is no longer in the list; it is named apart until it stops.
        active = [addon for addon in by_kind["addon"] if addon["status"] == "active"]
        if active:
            addons = "；".join(describe_addon(addon) for addon in active)
            dispatcher.utter_message(response="utter_package_addons", addons=addons)
        else:
            dispatcher.utter_message(response="utter_package_no_addons")
        for addon in by_kind["addon"]:
            if addon["status"] == "cancel_pending":
                dispatcher.utter_message(
                    response="utter_package_cancel_pending", name=addon["name"], date=addon["cancel_effective"]
                )
        for broadband in by_kind["broadband"]:
            dispatcher.utter_message(
                response="utter_package_broadband",
                name=broadband["name"],
                account=broadband["broadband_account"],
                fee=yuan(broadband["monthly_fee_fen"]),
            )
        return await_rating(tracker, "package")
