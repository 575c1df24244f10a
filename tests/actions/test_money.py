"""actions/money.py: every odd value is None or a valid fen, at once."""

import time
from decimal import Decimal

import pytest

from actions.money import MAX_AMOUNT_CHARS, to_fen


@pytest.mark.parametrize(
    "value, fen",
    [
        ("50", 5000),  # plain yuan
        ("30.5", 3050),  # one decimal
        ("0.01", 1),  # the smallest amount
        ("100.00", 10000),  # two decimals, trailing zeros
        (" 50 ", 5000),  # surrounding spaces
        ("050", 5000),  # a leading zero
        (".5", 50),  # no whole part
        ("100.", 10000),  # a dot and no decimals
        ("10000", 1_000_000),  # too large for a payment, but a number: the caller says so
        (50, 5000),  # an int from a typed JSON payload
        (30.5, 3050),  # a float from a typed JSON payload
        ("0", None),  # zero
        ("0.00", None),  # zero with decimals
        ("-5", None),  # negative
        ("+5", None),  # an explicit sign
        ("1.234", None),  # more than two decimals
        ("1.230", None),  # more than two decimals, even if zero
        ("abc", None),  # not a number
        ("", None),  # empty
        ("  ", None),  # only spaces
        (".", None),  # only a dot
        ("NaN", None),  # Decimal would read it
        ("Infinity", None),  # Decimal would read it
        ("-Infinity", None),
        ("1e3", None),  # exponent notation is not an amount anyone types
        ("1E+999990", None),  # took ~17 s through Decimal -> int
        ("1E+999999", None),  # raised decimal.Overflow
        ("1E-999999", None),  # tiny
        ("0x10", None),  # hexadecimal
        ("1_000", None),  # Python's digit separator
        ("1,000", None),  # thousands separator
        ("٥٠", None),  # Arabic-Indic digits (str.isdigit() is true for them)
        ("５０", None),  # full-width digits: the NLU normalises them before they get here
        ("50元", None),  # a unit
        ("5" * 10_000, None),  # 10k characters
        ("9" * 18, int("9" * 18) * 100),  # the longest whole part read
        ("9" * 19, None),  # one digit more
        (10**30, None),  # a huge int
        (-5, None),  # a negative int
        (True, None),  # a bool is not an amount
        (1e20, None),  # a float printed with an exponent
        (float("nan"), None),
        (float("inf"), None),
        (None, None),
        (Decimal("50"), None),  # only str, int and float are read
        (["50"], None),
        ({"amount": "50"}, None),
    ],
)
def test_to_fen(value, fen):
    assert to_fen(value) == fen


@pytest.mark.parametrize(
    "value",
    ["1E+999990", "1E+999999", "9" * MAX_AMOUNT_CHARS, "9" * 1_000_000, "1" + "0" * 999_999 + ".00", "NaN" * 1000],
)
def test_odd_values_cost_microseconds(value):
    started = time.perf_counter()
    for _ in range(100):
        to_fen(value)
    assert (time.perf_counter() - started) / 100 < 0.001
