"""Masking personal data (pure): in text shown to agents and trainers and in logs
(`mask_personal_data`), and passwords in what the tracker store keeps (`redact_*`).

Digits are read in any script (full-width １２３, Arabic-Indic...) and written back as ASCII. A
"6-digit run" is six digits written together (123456) or in short groups of at most 5 digits
joined by spaces or dashes (12 34 56, 1 2 3 4 5 6, 123-456), as long as the digits of the
group chain add up to exactly six: a spaced phone number (138 0013 8000) or a date is not one.
"""

import re
import unicodedata
from typing import Any, Dict, Match

_ANY_DECIMAL = re.compile(r"\d")
# What may stand between the groups of a number typed in groups: spaces (also ideographic and
# no-break), zero-width characters, dashes and hyphens of every width.
_SEP = r"[\s\u00a0\u3000\u200b-\u200d\u2060\ufeff\-\u2010-\u2015\u2212\uff0d]{1,3}"

_LONG_DIGITS = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15,19})(?![0-9])")  # bank cards, ID numbers
_GROUPED_CARD = re.compile(rf"(?<![0-9])[0-9]{{4}}(?:{_SEP}[0-9]{{4}}){{3}}(?:{_SEP}[0-9]{{1,3}})?(?![0-9])")
_GROUPED_ID = re.compile(
    rf"(?<![0-9])[0-9]{{6}}{_SEP}(?:[0-9]{{8}}|[0-9]{{4}}{_SEP}[0-9]{{4}}){_SEP}[0-9]{{3}}[0-9Xx](?![0-9])"
)
_PHONE = re.compile(r"(?<![0-9])(1[3-9][0-9])[\s-]?([0-9]{4})[\s-]?([0-9]{4})(?![0-9])")
_SIX_DIGITS = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")  # service passwords
# Short groups of digits, joined; kept masked as "** ** **" when they hold six digits in all. A
# chain never starts right after a star: the unmasked tail of a masked number is not a group.
_GROUPED_DIGITS = re.compile(rf"(?<![0-9*])[0-9]{{1,5}}(?:{_SEP}[0-9]{{1,5}})+(?![0-9])")
_CARD_CHARACTER = re.compile(r"[0-9Xx]")


def ascii_digits(text: str) -> str:
    """Every decimal digit of any script (full-width, Arabic-Indic...) as its ASCII digit."""
    text = text or ""
    if text.isascii():
        return text
    return _ANY_DECIMAL.sub(lambda m: str(unicodedata.digit(m.group())), text)


def _keep_last_four(match: Match[str]) -> str:
    """Every digit starred but the last four characters (digits or the X of an ID); separators kept."""
    found = match.group()
    keep_from = [m.start() for m in _CARD_CHARACTER.finditer(found)][-4]
    return re.sub(r"[0-9]", "*", found[:keep_from]) + found[keep_from:]


def _six_in_groups(match: Match[str]) -> str:
    found = match.group()
    return re.sub(r"[0-9]", "*", found) if sum(ch.isdigit() for ch in found) == 6 else found


def mask_six_digit_runs(text: str) -> str:
    """Every 6-digit run starred: 123456 -> ******, 12 34 56 -> ** ** **. Longer numbers are kept."""
    text = _SIX_DIGITS.sub("******", ascii_digits(text))
    return _GROUPED_DIGITS.sub(_six_in_groups, text)


def mask_personal_data(text: str) -> str:
    """138 0013 8000 -> 138****8000; ID and bank card numbers (also typed in groups) keep their
    last 4; 6-digit runs (service passwords, also spaced) are starred."""
    text = ascii_digits(text)
    text = _LONG_DIGITS.sub(_keep_last_four, text)
    text = _GROUPED_CARD.sub(_keep_last_four, text)
    text = _GROUPED_ID.sub(_keep_last_four, text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return mask_six_digit_runs(text)


def mask_personal_values(value: Any) -> Any:
    """`mask_personal_data` of every string in a JSON-like value (dicts, lists), keys kept."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {key: mask_personal_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_personal_values(item) for item in value]
    return value


PASSWORD_SLOT = "service_password"
PASSWORD_MARKER = "******"  # what stands for a service password wherever one was (actions/identity.py too)
# Slots holding the customer's own words (actions/tickets.py): a password typed at the wrong
# question would otherwise be stored there. Slots of machine-made values (keys, amounts) are kept
# exactly as they are: the next turn reads them back.
FREE_TEXT_SLOTS = frozenset({"fault_description", "fault_address", "complaint_description"})
_ANY_DIGIT = re.compile(r"[0-9]")


def mask_password(text: str) -> str:
    """Every 6-digit run starred (also spaced or full-width), and every digit of a message that
    speaks of its 密码. Phone numbers are kept."""
    text = mask_six_digit_runs(text)
    return _ANY_DIGIT.sub("*", text) if "密码" in text else text


# Metadata keys whose values the system made, never a customer's words: kept as they are (the id of a
# handoff delivery, bot/rasa/channels/deliveries.py, is found again by its exact value).
SYSTEM_METADATA = frozenset({"handoff_delivery"})


def _masked_strings(value: Any) -> Any:
    if isinstance(value, str):
        return mask_six_digit_runs(value)
    if isinstance(value, dict):
        return {key: _masked_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked_strings(item) for item in value]
    return value


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


def redact_bot_event(data: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a serialised `BotUttered` with 6-digit runs starred in its text and in its
    metadata, where Rasa keeps the values the response was filled with: utter_invalid_phone_number
    echoes what the customer typed, which may be their password."""
    out = dict(data)
    if isinstance(data.get("text"), str):
        out["text"] = mask_six_digit_runs(data["text"])
    if isinstance(data.get("metadata"), dict):
        out["metadata"] = {
            key: value if key in SYSTEM_METADATA else _masked_strings(value) for key, value in data["metadata"].items()
        }
    return out


def redact_slot_event(data: Dict[str, Any]) -> Dict[str, Any]:
    """A `SlotSet` of the password slot keeps only the marker (or None); one of the customer's own
    words has its 6-digit runs starred."""
    if data.get("name") == PASSWORD_SLOT and data.get("value") not in (None, PASSWORD_MARKER):
        return {**data, "value": PASSWORD_MARKER}
    if data.get("name") in FREE_TEXT_SLOTS and isinstance(data.get("value"), str):
        return {**data, "value": mask_six_digit_runs(data["value"])}
    return data
