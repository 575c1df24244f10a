"""bot/core/text.py: the pure text helpers."""

import pytest

from bot.core.text import (
    find_phone_number,
    find_service_password,
    has_digits,
    join_digit_groups,
    spoken_digits_to_arabic,
    to_halfwidth,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("１３８００１３８０００", "13800138000"),  # full-width digits
        ("ＡＢＣ！", "ABC!"),  # full-width letters and punctuation
        ("查\u3000话费", "查 话费"),  # ideographic space
        ("话费余额", "话费余额"),  # Chinese untouched
    ],
)
def test_to_halfwidth(text, expected):
    assert to_halfwidth(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("138—0013—8000", "13800138000"),  # em dashes
        ("充 50 元", "充 50 元"),  # separators next to non-digits stay
    ],
)
def test_join_digit_groups(text, expected):
    assert join_digit_groups(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("13800138000", "13800138000"),
        ("我的号码是１３９ ００１３ ９０００谢谢", "13900139000"),
        ("12800138000", None),  # 12x is not a mobile prefix
        ("138001380001", None),  # 12 digits: not a phone number
        ("密码123456", None),
        ("", None),
    ],
)
def test_find_phone_number(text, expected):
    assert find_phone_number(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("123456", "123456"),
        ("密码是１２３４５６", "123456"),
        ("123 456", "123456"),  # typed with a space
        ("12345", None),  # too short
        ("1234567", None),  # too long
    ],
)
def test_find_service_password(text, expected):
    assert find_service_password(text) == expected


def test_has_digits():
    assert (has_digits("转人工"), has_digits("第１个"), has_digits("a1")) == (False, True, True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("一三八零零一三八零零零", "13800138000"),  # a number read out digit by digit
        ("幺三九零零幺三九零零零", "13900139000"),  # 幺 is how 1 is read on the phone
        ("充一百五", "充一百五"),  # an amount, not a digit run
        ("十一月", "十一月"),
    ],
)
def test_spoken_digits_to_arabic(text, expected):
    assert spoken_digits_to_arabic(text) == expected
