"""Placing an order the customer confirmed (a plan change, a pack): the exact text shown is recorded as
a consent, then the order is placed under that consent; a call whose outcome is unknown is tried once
more with the same consent, which the backend applies at most once."""

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa_sdk import Tracker

from bot.clients.base import Unavailable
from bot.clients.operator import OperatorClient

logger = logging.getLogger(__name__)


async def order_under_consent(
    backend: OperatorClient,
    tracker: Tracker,
    action: str,
    terms: Dict[str, Any],
    place: Callable[[int], Awaitable[Dict[str, Any]]],
) -> Dict[str, Any]:
    """Record the consent to `terms` (as kept by the ask action) and call `place(consent_id)`.
    Raises Rejected when the backend refuses, Unavailable when the outcome stays unknown."""
    consent = await backend.record_consent(
        phone=tracker.get_slot("verified_phone"),
        action=action,
        subject=terms["subject"],
        shown_text=terms["shown_text"],
        confirmed=True,
        channel=tracker.get_latest_input_channel() or "unknown",
        sender_id=tracker.sender_id,
    )
    try:
        return await place(consent["id"])
    except Unavailable:
        logger.warning("%s call failed, retrying once with the same consent", action)
        return await place(consent["id"])
