"""Signs that the bot answered confidently and wrongly (pure): what the customer did next.

NLU may be sure of itself and still wrong; the customer shows it. After an answer, the customer
- corrects the bot (不对, 不是这个, 我问的是 ...): `corrected`;
- says the same thing again in other words, or the same words: `repeated`;
- asks for a human at once: `human_after_answer`;
- leaves within two messages of an answer, with no task completed, no thanks or goodbye and no
  handoff: `left`.
Each flags the customer message the wrong answer was given to (for `left`, the messages left after).
"""

import re
from typing import Any, Dict, List, Set

CORRECTION = re.compile(
    r"不对|不是这个|不是这样|不是这意思|不是这个意思|我问的是|我说的是|我要的是|答非所问|文不对题|没听懂|听不懂|理解错|搞错了|不是问这个"
)
CLOSING_INTENTS = {"goodbye", "thank", "affirm", "deny", "rate", "restart"}
SIMILAR = 0.5  # Jaccard index of character pairs at which two messages say the same thing
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _pairs(text: str) -> Set[str]:
    compact = _NOT_WORD.sub("", text).lower()
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def similar(first: str, second: str) -> bool:
    """The same request again: most character pairs shared (or one message inside the other)."""
    a, b = _pairs(first), _pairs(second)
    if len(a) < 2 or len(b) < 2:
        return False
    compact_a, compact_b = _NOT_WORD.sub("", first), _NOT_WORD.sub("", second)
    return compact_a in compact_b or compact_b in compact_a or len(a & b) / len(a | b) >= SIMILAR


def _intent(event: Dict[str, Any]) -> str:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""


def _answered(events: List[Dict[str, Any]]) -> bool:
    return any(event.get("event") == "bot" for event in events)


def _task_completed_or_handed_off(events: List[Dict[str, Any]]) -> bool:
    return any(
        (event.get("event") == "slot" and event.get("name") == "satisfaction_task" and event.get("value"))
        or event.get("event") == "pause"
        or (event.get("event") == "action" and event.get("name") == "action_handoff")
        for event in events
    )


def confident_mistakes(events: List[Dict[str, Any]]) -> Dict[int, Set[str]]:
    """{index of a user event: reasons} for one conversation's events."""
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    flagged: Dict[int, Set[str]] = {}
    for previous, current in zip(users, users[1:], strict=False):
        if not _answered(events[previous + 1 : current]):
            continue
        earlier, text = events[previous].get("text") or "", events[current].get("text") or ""
        if CORRECTION.search(text):
            flagged.setdefault(previous, set()).add("corrected")
        elif similar(earlier, text):
            flagged.setdefault(previous, set()).add("repeated")
        if _intent(events[current]) == "request_human":
            flagged.setdefault(previous, set()).add("human_after_answer")
    last = users[-2:]  # the customer's last two messages: did they leave right after an answer?
    ended_well = any(_intent(events[i]) in CLOSING_INTENTS for i in last)
    if last and not ended_well and not _task_completed_or_handed_off(events[last[0] :]):
        for index, following in zip(last, [*last[1:], len(events)], strict=False):
            if _answered(events[index + 1 : following]):
                flagged.setdefault(index, set()).add("left")
    return flagged
