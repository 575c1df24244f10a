"""Pure text normalisation shared by the NLU components and the actions."""

import re
from typing import Optional

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space

_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_SIX_DIGITS_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
# Separators people put inside numbers: spaces, dashes, dots.
_DIGIT_SEPARATORS_RE = re.compile(r"(?<=\d)[\s\-－—.·]+(?=\d)")


_CN_DIGIT_MAP = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
# Seven or more spoken digits in a row are a number being read out (一三八零零一三八零零零).
_CN_DIGIT_RUN_RE = re.compile("[零〇一二三四五六七八九幺]{7,}")


def spoken_digits_to_arabic(text: str) -> str:
    """'一三八零零一三八零零零' -> '13800138000'; short runs (一百五, 十一) are left alone."""
    return _CN_DIGIT_RUN_RE.sub(lambda match: match.group(0).translate(_CN_DIGIT_MAP), text)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (１３８, ＡＢＣ, ！) and the ideographic space to their half-width forms."""
    return text.translate(_FULLWIDTH)


def join_digit_groups(text: str) -> str:
    """'138 0013-8000' -> '13800138000' (separators between digits removed)."""
    return _DIGIT_SEPARATORS_RE.sub("", text)


def find_phone_number(text: str) -> Optional[str]:
    """The first mainland mobile number in free text, however it was typed."""
    match = _PHONE_RE.search(join_digit_groups(spoken_digits_to_arabic(to_halfwidth(text))))
    return match.group(1) if match else None


def find_service_password(text: str) -> Optional[str]:
    """A 6-digit service password in free text ('密码是１２３４５６' -> '123456')."""
    match = _SIX_DIGITS_RE.search(to_halfwidth(text).replace(" ", ""))
    return match.group(1) if match else None


def has_digits(text: str) -> bool:
    return any(char.isdigit() for char in to_halfwidth(text))
