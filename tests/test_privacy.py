"""Masking personal data before agents and trainers see it."""

import pytest

from bot.privacy import mask_personal_data


@pytest.mark.parametrize(
    "text, masked",
    [
        ("查一下13800138000的话费", "查一下138****8000的话费"),
        ("号码是 138 0013 8000", "号码是 138****8000"),
        ("１３８００１３８０００", "138****8000"),
        ("123456", "******"),
        ("密码654321对吗", "密码******对吗"),
        ("卡号6222021234567890123", "卡号***************0123"),
        ("身份证44030119900101123X", "身份证**************123X"),
        ("交50块话费，账单T20261120001", "交50块话费，账单T20261120001"),
        ("", ""),
    ],
)
def test_mask_personal_data(text, masked):
    assert mask_personal_data(text) == masked
