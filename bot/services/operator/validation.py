"""Pure validation of API input. Each function returns the clean value or raises InvalidInput."""

import datetime as dt
import re
from typing import Any, Mapping, Optional

from bot.core.errors import InvalidInput

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
PASSWORD_RE = re.compile(r"^\d{6}$")
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{8,128}$")

BILL_TYPES = ("话费", "宽带")
PAYMENT_METHODS = ("微信", "支付宝", "银行卡")
TICKET_KINDS = ("故障报修", "投诉", "回访")
PRIORITIES = ("urgent", "routine", "complex")
CONSENT_ACTIONS = ("payment", "cancel_package", "change_plan", "add_pack")
PLAN_WANTS = ("cheaper", "more_data", "any")
CODE_RE = re.compile(r"^[A-Z0-9]{2,16}$")

# A single payment above this is refused as implausible (5,000 yuan).
MAX_PAYMENT_FEN = 500_000


def phone(value: Any) -> str:
    if not isinstance(value, str) or not PHONE_RE.match(value):
        raise InvalidInput("phone must be an 11-digit mainland mobile number", details={"field": "phone"})
    return value


def password(value: Any) -> str:
    if not isinstance(value, str) or not PASSWORD_RE.match(value):
        raise InvalidInput("password must be 6 digits", details={"field": "password"})
    return value


def amount_fen(value: Any) -> int:
    # bool is an int subclass: refuse it explicitly.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("amount_fen must be an integer number of fen", details={"field": "amount_fen"})
    if value <= 0:
        raise InvalidInput("amount_fen must be positive", details={"field": "amount_fen"})
    if value > MAX_PAYMENT_FEN:
        raise InvalidInput(
            f"amount_fen must be at most {MAX_PAYMENT_FEN}",
            details={"field": "amount_fen", "max_fen": MAX_PAYMENT_FEN},
        )
    return value


def one_of(value: Any, allowed: tuple, field: str) -> str:
    if value not in allowed:
        raise InvalidInput(f"{field} must be one of {', '.join(allowed)}", details={"field": field})
    return value


def month(value: Any) -> str:
    if not isinstance(value, str) or not MONTH_RE.match(value):
        raise InvalidInput("month must be YYYY-MM", details={"field": "month"})
    return value


def idempotency_key(value: Any) -> str:
    if not isinstance(value, str) or not KEY_RE.match(value):
        raise InvalidInput(
            "idempotency_key must be 8-128 characters of letters, digits, _ . : -",
            details={"field": "idempotency_key"},
        )
    return value


def text(value: Any, field: str, *, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must be a non-empty string", details={"field": field})
    if len(value) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", details={"field": field})
    return value.strip()


def optional_text(value: Any, field: str, *, max_length: int) -> Optional[str]:
    """None when absent, else the text as `text` checks it."""
    return None if value is None else text(value, field, max_length=max_length)


def positive_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(f"{field} must be a positive integer", details={"field": field})
    return value


def consent_id(value: Any) -> int:
    """The consent an operation is made under: required, so nothing is charged without one."""
    if value is None:
        raise InvalidInput(
            "consent_id is required: the customer's confirmed consent to exactly this operation",
            details={"field": "consent_id", "reason": "consent_required"},
        )
    return positive_int(value, "consent_id")


def optional_positive_int(body: Mapping[str, Any], field: str) -> Optional[int]:
    value = body.get(field)
    return None if value is None else positive_int(value, field)


def mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{field} must be a JSON object", details={"field": field})
    return value


def product_code(value: Any, field: str) -> str:
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise InvalidInput(
            f"{field} must be a product code (2-16 capital letters and digits)", details={"field": field}
        )
    return value


def bounded_int(value: Any, field: str, *, low: int, high: int) -> int:
    """An integer from a query string, within [low, high]."""
    if not isinstance(value, str) or not value.isdigit() or not low <= int(value) <= high:
        raise InvalidInput(f"{field} must be a whole number from {low} to {high}", details={"field": field})
    return int(value)


def moment(value: Any, field: str) -> dt.datetime:
    """An ISO 8601 time with its offset (2026-11-20T09:30:00+08:00)."""
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidInput(f"{field} must be an ISO 8601 time with its UTC offset", details={"field": field})
    return parsed
