"""actions/money.py."""

import pytest

from actions.money import to_fen


@pytest.mark.parametrize(
    "value, fen",
    [("50", 5000), ("30.5", 3050), ("0.01", 1), ("100.00", 10000), ("0", None), ("-5", None),
     ("1.234", None), ("abc", None), ("", None), ("NaN", None), ("Infinity", None)],
)
def test_to_fen(value, fen):
    assert to_fen(value) == fen
