"""actions/months.py."""

import datetime as dt

import pytest

from actions.months import cycle_for, spoken

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    "month, today, cycle",
    [
        (None, TODAY, "2026-11"),  # nothing said: this month
        ("本月", TODAY, "2026-11"),
        ("上个月", TODAY, "2026-10"),
        ("上个月", dt.date(2027, 1, 5), "2026-12"),  # across the year boundary
        ("10月", TODAY, "2026-10"),
        ("11月", TODAY, "2026-11"),  # this month by its number
        ("12月", TODAY, "2025-12"),  # a month not yet come means last year's
        ("13月", TODAY, None),
        ("下个月", TODAY, None),  # not a contract value
    ],
)
def test_cycle_for(month, today, cycle):
    assert cycle_for(month, today) == cycle


def test_spoken():
    assert (spoken("2026-10", TODAY), spoken("2025-12", TODAY)) == ("10月", "2025年12月")
