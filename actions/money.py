"""Pure parsing of the NLU's amount values (yuan as a plain number string) into fen."""

from decimal import Decimal, InvalidOperation
from typing import Optional

# A single payment above this is refused as implausible (the backend enforces the same bound).
MAX_PAYMENT_FEN = 500_000


def to_fen(value: object) -> Optional[int]:
    """'50' -> 5000, '30.5' -> 3050; None unless positive with at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
        return None
    return int(amount * 100)
