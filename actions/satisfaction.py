"""The satisfaction question (1-5), asked once the customer is done, and storing the answer.

A completed task is remembered as the one awaiting a rating (`await_rating`: slot
`satisfaction_task`); nothing is asked then, in the middle of the customer's business. The question
comes when the customer signals they are done (`action_wrap_up`: 谢谢, 再见, 没有了), or, on a
channel the bot can push to (the web widget, WeChat), when they have said nothing for
IDLE_RATING_MINUTES: a Rasa reminder (`EXTERNAL_idle_rating`, cancelled by any message of theirs)
runs `action_idle_rating`. The answer
(intent `rate`: a button, 5分, 五星, 非常满意...) is stored in the backend by
`action_record_satisfaction`, and counts only while the question is still the last thing asked:
a rating button clicked after the conversation moved on stops acting. Any other message simply
moves on: the question never blocks.
"""

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import BackendMixin, latest_entity
from bot.clients.base import Rejected, Unavailable
from bot.core.ratings import parse_rating

logger = logging.getLogger(__name__)

QUESTION = "utter_ask_satisfaction"
# Said while the question stays open (a reply that was not a rating gets the question explained).
KEEPS_IT_OPEN = frozenset({QUESTION, "utter_rating_not_understood"})
# What the customer's "done" is answered with, with a rating awaited and without one.
WRAP_UP = {
    "thank": ("utter_glad_to_help", "utter_you_are_welcome"),
    "goodbye": ("utter_goodbye", "utter_goodbye"),
    "deny": ("utter_thanks_for_asking", "utter_anything_else"),
}


IDLE_INTENT = "EXTERNAL_idle_rating"
IDLE_RATING_MINUTES = 3
PUSH_CHANNELS = frozenset({"socketio", "wechat"})  # channels a later message can reach unasked


def await_rating(tracker: Tracker, task: str, now: Optional[dt.datetime] = None) -> List[Dict[Text, Any]]:
    """`task` is done: it is the one rated when the customer is done. Not while another task's form
    is still going (a balance asked in the middle of paying). On a channel that can be pushed to,
    the question also comes after IDLE_RATING_MINUTES of silence (a reminder any message cancels)."""
    if (tracker.active_loop or {}).get("name"):
        return []
    events = [SlotSet("satisfaction_task", task)]
    if (tracker.get_latest_input_channel() or "") in PUSH_CHANNELS:
        moment = (now or dt.datetime.now(dt.timezone.utc)) + dt.timedelta(minutes=IDLE_RATING_MINUTES)
        events.append(ReminderScheduled(IDLE_INTENT, moment, name="idle_rating", kill_on_user_message=True))
    return events


def ask_rating(dispatcher: CollectingDispatcher) -> None:
    buttons = [
        {"title": f"{score}分", "payload": f'/rate{{"satisfaction_score": "{score}"}}'} for score in (5, 4, 3, 2, 1)
    ]
    dispatcher.utter_message(response=QUESTION, buttons=buttons)


def question_state(events: List[Dict[str, Any]]) -> str:
    """For the customer's latest message: `open` when the bot's last words before it were the
    rating question, `stale` when the question was asked but the conversation moved on since,
    `never` when it was not asked in this conversation."""
    before_latest = False
    last_bot: Optional[str] = None
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user" and not before_latest:
            before_latest = True
            continue
        if not before_latest or kind != "bot":
            continue
        said = (event.get("metadata") or {}).get("utter_action")
        if last_bot is None:
            last_bot = said or ""
            if said in KEEPS_IT_OPEN:
                return "open"
        if said == QUESTION:
            return "stale"
    return "never"


class ActionWrapUp(Action):
    """谢谢 / 再见 / 没有了: the customer is done. With a task awaiting its rating, the question now."""

    def name(self) -> Text:
        return "action_wrap_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "thank"
        with_rating, without = WRAP_UP.get(intent, WRAP_UP["thank"])
        if tracker.get_slot("satisfaction_task") and question_state(tracker.events) != "open":
            dispatcher.utter_message(response=with_rating)
            ask_rating(dispatcher)
        else:
            dispatcher.utter_message(response=without)
        return []


class ActionIdleRating(Action):
    """The customer said nothing for a while after a task: the rating question, once, unless it is
    already open, nothing awaits a rating, or an agent has the conversation."""

    def name(self) -> Text:
        return "action_idle_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if tracker.is_paused() or not tracker.get_slot("satisfaction_task"):
            return []
        if (tracker.active_loop or {}).get("name") or last_bot_response(tracker.events) in KEEPS_IT_OPEN:
            return []
        dispatcher.utter_message(response="utter_idle_rating")
        ask_rating(dispatcher)
        return []


def last_bot_response(events: List[Dict[str, Any]]) -> Optional[str]:
    for event in reversed(events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None


class ActionRecordSatisfaction(BackendMixin, Action):
    def name(self) -> Text:
        return "action_record_satisfaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if question_state(tracker.events) == "stale":
            dispatcher.utter_message(response="utter_rating_expired")
            return []
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
