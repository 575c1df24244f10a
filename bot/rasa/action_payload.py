"""The events a custom action call carries: the recent turns whole, the earlier ones as the
customer's and the bot's words only.

Rasa sends the action server every event of the conversation, each serialised again on every call
(several per message): the cost of a message grew with the conversation. Our actions read the
earlier conversation only through its user and bot events (the handoff transcript, the message that
opened a cancellation or a dispute, the bot's last words, the rating question), and of them only
the fields kept below. Everything else they read (slots, the active loop, the latest message,
`slots_to_validate`) is in the tracker state or at the end of the events, which stays whole.
tests/rasa/test_action_payload.py checks that every reading of the actions is unchanged.
"""

import itertools
from typing import Any, Dict, List, Optional, Sequence

# The user messages, counted from the latest, whose turns are sent whole, with every event.
RECENT_MESSAGES = 10
_SLIM = "_telebot_slim"  # the slim form of an event, kept on the (immutable) event itself


def slim_user(data: Dict[str, Any]) -> Dict[str, Any]:
    """A user event as the actions read it when it is not recent."""
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    return {
        "event": "user",
        "timestamp": data.get("timestamp"),
        "text": data.get("text"),
        "input_channel": data.get("input_channel"),
        "parse_data": {
            "intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
            "entities": parse.get("entities") or [],
        },
    }


def slim_bot(data: Dict[str, Any]) -> Dict[str, Any]:
    """A bot event as the actions read it when it is not recent."""
    metadata = data.get("metadata") or {}
    return {
        "event": "bot",
        "timestamp": data.get("timestamp"),
        "text": data.get("text"),
        "metadata": {"utter_action": metadata.get("utter_action")},
    }


def slim(data: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """An earlier event as sent: a user or bot event slimmed, any other left out (None)."""
    kind = data.get("event")
    if kind == "user":
        return slim_user(data)
    if kind == "bot":
        return slim_bot(data)
    return None


def recent_start(events: Sequence[Any], messages: int = RECENT_MESSAGES) -> int:
    """The index of the `messages`-th user event from the end (0 with fewer)."""
    from rasa.shared.core.events import UserUttered

    seen = 0
    for back, event in enumerate(reversed(events)):
        if isinstance(event, UserUttered):
            seen += 1
            if seen == messages:
                return len(events) - 1 - back
    return 0


def _slim_of(event: Any) -> Optional[Dict[str, Any]]:
    from rasa.shared.core.events import BotUttered, UserUttered

    if not isinstance(event, (UserUttered, BotUttered)):
        return None
    cached = event.__dict__.get(_SLIM)
    if cached is None:
        cached = slim(event.as_dict())
        event.__dict__[_SLIM] = cached
    return cached


def events_for_action(events: Sequence[Any], messages: int = RECENT_MESSAGES) -> List[Dict[str, Any]]:
    """The events (a list or Rasa's deque) of a custom action call, as dicts: the slimmed user and
    bot events before the recent turns, then every event of the last `messages` user messages'
    turns, whole."""
    start = recent_start(events, messages)
    earlier = [form for form in map(_slim_of, itertools.islice(events, start)) if form is not None]
    return earlier + [event.as_dict() for event in itertools.islice(events, start, None)]
