"""Canned replies (快捷回复): their fields checked, and their placeholders filled from a case (pure).

A canned reply's text may hold placeholders in braces, filled from the case it is inserted into:
{姓名} the customer's name (once verified), {号码尾号} the last four digits of the line, {坐席} the
agent's own name. A placeholder the case cannot fill stays in the text as it is, and is reported as
missing, so the agent completes it before sending rather than the customer reading "您好，先生/女士".
"""

import re
from typing import Any, Dict, List, Optional, Tuple

from bot.core.errors import InvalidInput

PLACEHOLDERS = ("姓名", "号码尾号", "坐席")
SHORTCUT = re.compile(r"^[a-z0-9_\u4e00-\u9fff]{1,20}$")
MAX_TITLE, MAX_TEXT = 32, 1000
_PLACEHOLDER = re.compile(r"\{([^{}]{1,8})\}")


def checked(body: Dict[str, Any]) -> Dict[str, str]:
    """The fields of a canned reply from a request body, or InvalidInput saying which one is wrong."""
    shortcut = body.get("shortcut")
    if not isinstance(shortcut, str) or not SHORTCUT.match(shortcut.strip().lower()):
        raise InvalidInput(
            "shortcut must be 1 to 20 lowercase letters, digits, _ or Chinese characters", details={"field": "shortcut"}
        )
    title, text = body.get("title"), body.get("text")
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > MAX_TITLE:
        raise InvalidInput(f"title must be 1 to {MAX_TITLE} characters", details={"field": "title"})
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > MAX_TEXT:
        raise InvalidInput(f"text must be 1 to {MAX_TEXT} characters", details={"field": "text"})
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise InvalidInput(
            f"unknown placeholder {{{unknown[0]}}}; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}",
            details={"field": "text"},
        )
    return {"shortcut": shortcut.strip().lower(), "title": title.strip(), "text": text.strip()}


def values_of(case: Dict[str, Any], context: Dict[str, Any], agent_name: str) -> Dict[str, Optional[str]]:
    """What each placeholder is for this case (None: not known)."""
    slots = context.get("slots") or {}
    name = slots.get("customer_name") if case.get("verified") else None
    phone = case.get("masked_phone") or ""
    tail = phone[-4:] if len(phone) >= 4 and phone[-4:].isdigit() else None
    return {"姓名": str(name) if name else None, "号码尾号": tail, "坐席": agent_name or None}


def fill(text: str, values: Dict[str, Optional[str]]) -> Tuple[str, List[str]]:
    """`text` with the known placeholders filled, and the names of those left in it."""
    missing: List[str] = []

    def one(match: "re.Match[str]") -> str:
        value = values.get(match.group(1))
        if value:
            return value
        if match.group(1) not in missing:
            missing.append(match.group(1))
        return match.group(0)

    return _PLACEHOLDER.sub(one, text), missing
