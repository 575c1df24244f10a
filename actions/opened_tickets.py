"""The tickets opened in this conversation, kept in a slot so an agent taking over sees them (pure)."""

from typing import Any, Dict, List, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

SLOT = "opened_tickets"
KEPT = 20  # the latest ones; a conversation with more is unusual


def entry(ticket: Dict[str, Any]) -> str:
    """`T2026112200001（投诉·网络信号）`: the number and what it is about."""
    what = "·".join(str(ticket[key]) for key in ("kind", "category") if ticket.get(key))
    return f"{ticket['id']}（{what}）" if what else str(ticket["id"])


def with_new(tracker: Tracker, tickets: Sequence[Dict[str, Any]]) -> List[str]:
    """The slot's list with `tickets` (opened in this turn) added."""
    known = [str(item) for item in tracker.get_slot(SLOT) or []]
    return (known + [entry(ticket) for ticket in tickets])[-KEPT:]


def noted(tracker: Tracker, tickets: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The event that keeps `tickets` with those opened earlier (none when there are none)."""
    return [SlotSet(SLOT, with_new(tracker, tickets))] if tickets else []
