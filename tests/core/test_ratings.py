"""The score in a customer's answer to the satisfaction question."""

import pytest

from bot.core.ratings import parse_rating


@pytest.mark.parametrize(
    "text, score",
    [
        ("5", 5),
        ("５分", 5),
        ("给你打4分吧", 4),
        ("三星", 3),
        ("两分", 2),
        ("五星好评", 5),
        ("非常满意", 5),
        ("满意", 4),
        ("还行吧", 3),
        ("不太满意", 2),
        ("非常不满意", 1),
        ("很差", 1),
        ('/rate{"satisfaction_score": "1"}', 1),
        ("10分", None),
        ("3.5", None),
        ("你好", None),
        ("", None),
    ],
)
def test_parse_rating(text, score):
    assert parse_rating(text) == score
