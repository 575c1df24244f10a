"""Canonical entity values (the NLU contract), from the text span an extractor found. Pure functions."""

import re
from decimal import Decimal, InvalidOperation
from typing import Callable, Dict, Optional

import cn2an

from bot.nlu.lexicon import Lexicon
from bot.normalise import find_phone_number, to_halfwidth

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_NUMBER = f"[{_CN_DIGITS}十百千万]+"
_AMOUNT_RE = re.compile(
    rf"^(?:人民币|rmb)?[￥¥]?\s*(?P<major>\d+(?:\.\d+)?|{_CN_NUMBER}(?:点[{_CN_DIGITS}]+)?)?"
    rf"\s*(?:(?:元|块|圆)(?P<minor>\d|[{_CN_DIGITS}])?(?:毛|角)?|(?P<jiao>\d|[{_CN_DIGITS}])(?:毛|角))?"
    r"(?:钱|整|人民币)?$"
)
_MONTH_RE = re.compile(r"^(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})月份?$")
_TICKET_RE = re.compile(r"^[Tt](\d{11})$")
THIS_MONTH = ("本月", "这个月", "这月", "当月", "本月份", "这个月份")
LAST_MONTH = ("上个月", "上月", "上一个月", "上个月份", "上一月")


def _number(text: str) -> Optional[Decimal]:
    if not text:
        return None
    try:
        if text[0].isdigit():
            return Decimal(text)
        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (InvalidOperation, ValueError, KeyError, TypeError):
        return None


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def parse_amount(span: str) -> Optional[str]:
    """'五十块' -> '50', '一百五' -> '150', '￥30.5' -> '30.5', '三块五' -> '3.5', '五毛' -> '0.5'."""
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
    return _plain(total) if total > 0 else None


def parse_month(span: str) -> Optional[str]:
    """'这个月' -> '本月', '上月' -> '上个月', '十月份' -> '10月', '3月' -> '3月'."""
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
    parser = PARSERS.get(entity)
    if parser is not None:
        return parser(span)
    return lexicon.canonical(entity, to_halfwidth(span))
