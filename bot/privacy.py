"""Masking personal data (pure): in text shown to agents and trainers and in logs
(`mask_personal_data`), and passwords in what the tracker store keeps (`redact_*`)."""

import re
from typing import Any, Dict

# Full-width digits are matched too; all other characters are left as the customer wrote them.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_LONG_DIGITS = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15,19})(?!\d)")  # bank cards, ID numbers
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?!\d)")  # service passwords


def mask_personal_data(text: str) -> str:
    """138 0013 8000 -> 138****8000; ID and bank card numbers keep their last 4; 6-digit runs
    (service passwords) become ******."""
    text = (text or "").translate(_FULLWIDTH_DIGITS)
    text = _LONG_DIGITS.sub(lambda m: "*" * (len(m.group(1)) - 4) + m.group(1)[-4:], text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _SIX_DIGITS.sub("******", text)


PASSWORD_SLOT = "service_password"
PASSWORD_MARKER = "******"  # what stands for a service password wherever one was (actions/identity.py too)
_ANY_DIGIT = re.compile(r"[0-9０-９]")


def mask_password(text: str) -> str:
    """Every 6-digit run starred, and every digit of a message that speaks of its 密码 (a password
    typed with spaces, '密码 12 34 56', has no 6-digit run). Phone numbers are kept."""
    text = _SIX_DIGITS.sub(PASSWORD_MARKER, (text or "").translate(_FULLWIDTH_DIGITS))
    return _ANY_DIGIT.sub("*", text) if "密码" in text else text


def redact_user_event(data: Dict[str, Any], password_turn: bool) -> Dict[str, Any]:
    """A copy of a serialised `UserUttered` fit for storage: on the turn that answered the password
    question nothing of the text is kept; on others, what looks like a password is starred.
    Entities of the password are replaced by the marker either way."""
    def text_of(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return PASSWORD_MARKER if password_turn else mask_password(value)

    out = dict(data)
    out["text"] = text_of(data.get("text"))
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data = dict(parse_data)
        parse_data["text"] = text_of(parse_data.get("text"))
        entities = []
        for entity in parse_data.get("entities") or []:
            entity = dict(entity)
            if entity.get("entity") == PASSWORD_SLOT or password_turn:
                entity["value"] = PASSWORD_MARKER
            else:
                entity["value"] = text_of(entity.get("value"))
            entities.append(entity)
        parse_data["entities"] = entities
        parse_data.pop("text_tokens", None)
        out["parse_data"] = parse_data
    return out


def redact_slot_event(data: Dict[str, Any]) -> Dict[str, Any]:
    """A `SlotSet` of the password slot keeps only the marker (or None)."""
    if data.get("name") == PASSWORD_SLOT and data.get("value") not in (None, PASSWORD_MARKER):
        return {**data, "value": PASSWORD_MARKER}
    return data
