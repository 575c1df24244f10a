"""Masking personal data in text shown to agents and trainers (pure)."""

import re

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
