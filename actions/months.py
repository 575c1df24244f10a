"""Pure mapping of the NLU's month values (本月 | 上个月 | N月) to billing cycles (YYYY-MM)."""

import datetime as dt
import re
from typing import Optional

_N_MONTH_RE = re.compile(r"^(\d{1,2})月$")


def cycle_for(month: Optional[str], today: dt.date) -> Optional[str]:
    """本月 -> this cycle; 上个月 -> the previous one; N月 -> the latest N月 not in the future.

    None for a value that is not a month (the NLU contract's values only are accepted).
    """
    if not month or month == "本月":
        return f"{today.year:04d}-{today.month:02d}"
    if month == "上个月":
        year, number = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return f"{year:04d}-{number:02d}"
    match = _N_MONTH_RE.match(month)
    if not match or not 1 <= int(match.group(1)) <= 12:
        return None
    number = int(match.group(1))
    year = today.year if number <= today.month else today.year - 1
    return f"{year:04d}-{number:02d}"


def spoken(cycle: str, today: dt.date) -> str:
    """'2026-11' -> '11月' this year, '2025年12月' otherwise."""
    year, number = (int(part) for part in cycle.split("-"))
    return f"{number}月" if year == today.year else f"{year}年{number}月"
