"""Deliveries of the handoff service, each recorded once in the customer's tracker (pure logic).

The handoff service delivers an agent's reply, a hand-back, a close or a response with a
`delivery_id` of its own (`agent-message-7`, `case-3-handback`, ...). Rasa keeps that id in the
metadata of the event the delivery appends: the agent's BotUttered, the ConversationResumed of a
hand-back or close. A delivery whose id the tracker already holds is a repeat: the service retried
after a timeout (Rasa had done the work but the answer was lost) or its retry loop met a delivery
still under way. A repeat changes nothing and says nothing again; for a channel that cannot be pushed
to it answers the messages the first one produced, so they reach the outbox even when the first
answer was lost (bot/services/desk/service.py keeps one delivery of an id under way at a time).
"""

from typing import Any, Dict, Iterable, List, Optional

from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered

DELIVERY_KEY = "handoff_delivery"
MAX_DELIVERY_ID = 64


def valid_delivery_id(value: Any) -> bool:
    return value is None or (isinstance(value, str) and 0 < len(value) <= MAX_DELIVERY_ID)


def marked(metadata: Optional[Dict[str, Any]], delivery_id: Optional[str]) -> Dict[str, Any]:
    """The metadata of the event a delivery appends, with its id when it has one."""
    out = dict(metadata or {})
    if delivery_id:
        out[DELIVERY_KEY] = delivery_id
    return out


def bot_message(sender_id: str, event: BotUttered) -> Dict[str, Any]:
    """A BotUttered as CollectingOutputChannel would have collected it."""
    data = {key: value for key, value in (event.data or {}).items() if value}
    message: Dict[str, Any] = {"recipient_id": sender_id}
    if event.text:
        message["text"] = event.text
    for key in ("image", "buttons", "attachment", "custom"):
        if key in data:
            message[key] = data[key]
    return message


def earlier_delivery(events: Iterable[Event], delivery_id: str, sender_id: str) -> Optional[List[Dict[str, Any]]]:
    """The messages a delivery of `delivery_id` produced, when the tracker already holds it; None
    when it does not. An agent's reply or a response is its own BotUttered; a hand-back or close is
    the bot's words after its ConversationResumed, up to the next listen."""
    found = False
    messages: List[Dict[str, Any]] = []
    for event in events:
        if not found:
            if (event.metadata or {}).get(DELIVERY_KEY) != delivery_id:
                continue
            found = True
            if isinstance(event, BotUttered):
                return [bot_message(sender_id, event)]
            continue
        if isinstance(event, UserUttered) or (
            isinstance(event, ActionExecuted) and event.action_name == "action_listen"
        ):
            break
        if isinstance(event, BotUttered):
            messages.append(bot_message(sender_id, event))
    return messages if found else None
