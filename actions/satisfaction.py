"""A short satisfaction question (1-5) after each completed task, and storing the answer.

The completing action asks (`ask_satisfaction`) and remembers which task is being rated; the
customer's answer (intent `rate`: a button, 5分, 五星, 非常满意...) is stored in the backend by
`action_record_satisfaction`. Any other message simply moves on: the question never blocks.
"""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import BackendMixin, latest_entity
from bot.clients.base import Rejected, Unavailable
from bot.core.ratings import parse_rating

logger = logging.getLogger(__name__)


def ask_satisfaction(dispatcher: CollectingDispatcher, tracker: Tracker, task: str) -> List[Dict[Text, Any]]:
    """Ask for a rating of the task just completed; the answer is matched to `task`. Not while
    another task's form is still going (a balance asked in the middle of paying)."""
    if (tracker.active_loop or {}).get("name"):
        return []
    buttons = [
        {"title": f"{score}分", "payload": f'/rate{{"satisfaction_score": "{score}"}}'} for score in (5, 4, 3, 2, 1)
    ]
    dispatcher.utter_message(response="utter_ask_satisfaction", buttons=buttons)
    return [SlotSet("satisfaction_task", task)]


class ActionRecordSatisfaction(BackendMixin, Action):
    def name(self) -> Text:
        return "action_record_satisfaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        said = latest_entity(tracker, "satisfaction_score")
        score = parse_rating(said) if said else parse_rating(tracker.latest_message.get("text") or "")
        if score is None:
            dispatcher.utter_message(response="utter_rating_not_understood")
            return []
        task = tracker.get_slot("satisfaction_task") or "general"
        phone = tracker.get_slot("verified_phone") if tracker.get_slot("identity_verified") else None
        try:
            await self.backend.record_satisfaction(
                sender_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "unknown",
                task=task,
                score=score,
                phone=phone,
            )
        except (Unavailable, Rejected) as error:
            # A lost rating is not worth bothering the customer about.
            logger.warning("satisfaction rating not stored: %s", error)
        dispatcher.utter_message(response="utter_thanks_for_rating" if score >= 3 else "utter_sorry_low_rating")
        return [SlotSet("satisfaction_task", None)]
