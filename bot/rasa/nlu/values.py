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

from bot.core.product_names import without_fillers, without_tails
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


_STUTTER = re.compile(rf"([{_CN_DIGITS}])\1+(?=[十百千万])")


def parse_amount(span: str) -> Optional[str]:
    """'五十块' -> '50', '一百五' -> '150', '￥30.5' -> '30.5', '三块五' -> '3.5', '五毛' -> '0.5';
    a spoken stutter before a unit is read once: '五五十块' -> '50', '三三十八' -> '38'."""
    if len(span) > MAX_SPAN_CHARS:
        return None
    value = _parse_amount(span)
    if value is None:
        unstuttered = _STUTTER.sub(r"\1", span)
        if unstuttered != span:
            return _parse_amount(unstuttered)
    return value


def _parse_amount(span: str) -> Optional[str]:
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


# A product outside the catalogue, named as customers do: 快手流量包, 咪咕视频会员, 短信呼业务, 集团网套餐.
_PRODUCT_RE = re.compile(
    r"^(?:那个|这个|一个)?(?P<name>[\u4e00-\u9fffA-Za-z0-9+]{1,12}?(?:包|业务|套餐|会员|功能|彩铃|服务))$"
)
_GENERIC_PRODUCTS = frozenset(
    {"包", "业务", "套餐", "会员", "功能", "服务", "流量包", "增值业务", "这个业务", "什么业务", "哪个业务"}
)


def parse_package_name(span: str, lexicon: Lexicon) -> Optional[str]:
    """The catalogue name ('冰淇淋' -> '冰激凌套餐', '我那个彩铃业务' -> '彩铃'), else a product name as
    written ('那个快手流量包' -> '快手流量包', '咪咕视频会员' stays itself, not 视频会员流量包): the
    action server matches it against the customer's own subscriptions."""
    text = to_halfwidth(span).strip()
    bare = without_fillers(text)
    for candidate in (text, bare, without_tails(bare)):
        known = lexicon.variants.get("package_name", {}).get(candidate.lower())
        if known is not None:
            return known
    match = _PRODUCT_RE.match(text)
    if match and match.group("name") not in _GENERIC_PRODUCTS:
        return match.group("name")
    return lexicon.canonical("package_name", text)


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
    if entity == "package_name":
        return parse_package_name(span, lexicon)
    return lexicon.canonical(entity, to_halfwidth(span))
