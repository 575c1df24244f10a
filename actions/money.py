"""Pure parsing of the NLU's amount values (yuan as a plain number string) into fen.

The value may come from a typed payload (`/inform{"amount": "1E+999990"}`), so it is checked by
shape and length before any arithmetic: only plain ASCII digits with at most two decimals are read,
with integer arithmetic, and anything else is None at once (no Decimal exponent, no float).
"""

import re
from typing import Optional

# A single payment above this is refused as implausible (the backend enforces the same bound).
MAX_PAYMENT_FEN = 500_000

# Longer text is not an amount; the bound also keeps the regex and int() trivially cheap.
MAX_AMOUNT_CHARS = 24
AMOUNT_RE = re.compile(r"(?:([0-9]{1,18})(?:\.([0-9]{0,2}))?|\.([0-9]{1,2}))", re.ASCII)


def to_fen(value: object) -> Optional[int]:
    """'50' -> 5000, '30.5' -> 3050; None unless a positive plain number with at most two decimals."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value) if 0 < value < 10**18 else ""
    elif isinstance(value, float):
        value = repr(value)  # 30.5 -> '30.5'; 1e+20 -> refused by the pattern below
    if not isinstance(value, str) or len(value) > MAX_AMOUNT_CHARS:
        return None
    match = AMOUNT_RE.fullmatch(value.strip())
    if match is None:
        return None
    whole, cents, only_cents = match.groups()
    fen = int(whole or 0) * 100 + int(((cents if whole else only_cents) or "").ljust(2, "0"))
    return fen if fen > 0 else None
