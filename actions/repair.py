"""Stopping a task half-way (算了, or another task asked for): nothing half-filled is kept."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.task_slots import TASK_SLOTS


class ActionStopTask(Action):
    def name(self) -> Text:
        return "action_stop_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_task_stopped")
        return [SlotSet(slot, None) for slot in TASK_SLOTS]
