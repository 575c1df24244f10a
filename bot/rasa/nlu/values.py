"""Canonical entity values (the NLU contract), from the text span an extractor found. Pure functions.

Bounded: a span is a customer's text, so shape and length are checked before any arithmetic. A span
longer than MAX_SPAN_CHARS is no value; an amount has at most MAX_AMOUNT_DIGITS digits before the
point and two after it (fen), a Chinese numeral at most MAX_CN_NUMERAL_CHARS characters; no exponent
notation is read, and every odd value is None at once.
"""

import re
from decimal import Decimal
from typing import Callable, Dict, Optional

import cn2an

from bot.core.text import find_phone_number, to_halfwidth
from bot.rasa.nlu.lexicon import Lexicon

MAX_SPAN_CHARS = 64
MAX_AMOUNT_DIGITS = 7  # up to 9,999,999 元: far above any payment (actions/money.py bounds those)
MAX_CN_NUMERAL_CHARS = 13  # 九百九十九万九千九百九十九 (9,999,999) is 13
MAX_AMOUNT = Decimal(10) ** MAX_AMOUNT_DIGITS
_FEN = Decimal("0.01")
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_NUMBER = f"[{_CN_DIGITS}十百千万]{{1,{MAX_CN_NUMERAL_CHARS}}}"
_AMOUNT_RE = re.compile(
    rf"^(?:人民币|rmb)?[￥¥]?\s*(?P<major>[0-9]{{1,{MAX_AMOUNT_DIGITS}}}(?:\.[0-9]{{1,2}})?"
    rf"|{_CN_NUMBER}(?:点[{_CN_DIGITS}]{{1,2}})?)?"
    rf"\s*(?:(?:元|块|圆)(?P<minor>\d|[{_CN_DIGITS}])?(?:毛|角)?|(?P<jiao>\d|[{_CN_DIGITS}])(?:毛|角))?"
    r"(?:钱|整|人民币)?$"
)
_MONTH_RE = re.compile(r"^(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})月份?$")
_TICKET_RE = re.compile(r"^[Tt](\d{11})$")
THIS_MONTH = ("本月", "这个月", "这月", "当月", "本月份", "这个月份")
LAST_MONTH = ("上个月", "上月", "上一个月", "上个月份", "上一月")


def _number(text: str) -> Optional[Decimal]:
    """A plain (ASCII digits) or Chinese number of bounded length, or None."""
    if not text or len(text) > MAX_CN_NUMERAL_CHARS + 3:
        return None
    try:
        if text[0] in "0123456789":
            number = Decimal(text)
        else:
            number = Decimal(str(cn2an.cn2an(text, "smart")))
    except Exception:  # cn2an raises what it likes on odd numerals; any of them means "no number"
        return None
    return number if number.is_finite() and abs(number) < MAX_AMOUNT and number == number.quantize(_FEN) else None


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def parse_amount(span: str) -> Optional[str]:
    """'五十块' -> '50', '一百五' -> '150', '￥30.5' -> '30.5', '三块五' -> '3.5', '五毛' -> '0.5'."""
    if len(span) > MAX_SPAN_CHARS:
        return None
    text = to_halfwidth(span).strip().lower().replace(",", "").replace("，", "")
    match = _AMOUNT_RE.match(text)
    if not match or not any(match.group(name) for name in ("major", "minor", "jiao")):
        return None
    total = Decimal(0)
    if match.group("major"):
        major = _number(match.group("major"))
        if major is None:
            return None
        total += major
    for name in ("minor", "jiao"):
        if match.group(name):
            digit = _number(match.group(name))
            if digit is None:
                return None
            total += digit / 10
    return _plain(total) if 0 < total < MAX_AMOUNT else None


def parse_month(span: str) -> Optional[str]:
    """'这个月' -> '本月', '上月' -> '上个月', '十月份' -> '10月', '3月' -> '3月'."""
    if len(span) > MAX_SPAN_CHARS:
        return None
    text = to_halfwidth(span).strip()
    if text in THIS_MONTH:
        return "本月"
    if text in LAST_MONTH:
        return "上个月"
    match = _MONTH_RE.match(text)
    if not match:
        return None
    number = _number(match.group("n"))
    if number is None or not 1 <= number <= 12 or number != number.to_integral_value():
        return None
    return f"{int(number)}月"


def parse_ticket_id(span: str) -> Optional[str]:
    match = _TICKET_RE.match(to_halfwidth(span).strip())
    return f"T{match.group(1)}" if match else None


PARSERS: Dict[str, Callable[[str], Optional[str]]] = {
    "phone_number": find_phone_number,
    "amount": parse_amount,
    "month": parse_month,
    "ticket_id": parse_ticket_id,
}


def canonical_value(entity: str, span: str, lexicon: Lexicon) -> Optional[str]:
    """The contract's value for an entity span, or None when the span is not a valid value."""
    if not isinstance(span, str) or len(span) > MAX_SPAN_CHARS:
        return None
    parser = PARSERS.get(entity)
    if parser is not None:
        return parser(span)
    return lexicon.canonical(entity, to_halfwidth(span))
