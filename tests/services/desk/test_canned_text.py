"""bot/services/desk/canned_text.py: a canned reply's fields, and its placeholders filled from a case."""

import pytest

from bot.core.errors import InvalidInput
from bot.services.desk.canned_text import checked, fill, values_of

VERIFIED = {"verified": True, "masked_phone": "138****8000"}
CONTEXT = {"slots": {"customer_name": "张伟"}}


def test_a_verified_customers_name_and_line_fill_the_text():
    values = values_of(VERIFIED, CONTEXT, "王芳")
    assert values == {"姓名": "张伟", "号码尾号": "8000", "坐席": "王芳"}
    assert fill("您好{姓名}，我是客服{坐席}。尾号{号码尾号}的号码本月已出账。", values) == (
        "您好张伟，我是客服王芳。尾号8000的号码本月已出账。",
        [],
    )


def test_what_the_case_cannot_fill_stays_and_is_reported():
    # Not verified: a name the customer typed is not trusted; no number at all.
    values = values_of({"verified": False, "masked_phone": None}, CONTEXT, "王芳")
    assert fill("您好{姓名}，尾号{号码尾号}，{姓名}", values) == (
        "您好{姓名}，尾号{号码尾号}，{姓名}",
        ["姓名", "号码尾号"],
    )


def test_the_fields_are_checked_and_tidied():
    assert checked({"shortcut": " Hi ", "title": " 开场 ", "text": " 您好{姓名} "}) == {
        "shortcut": "hi",
        "title": "开场",
        "text": "您好{姓名}",
    }
    assert (
        checked({"shortcut": "退费说明", "title": "退费", "text": "退费将在 3 个工作日内到账。"})["shortcut"]
        == "退费说明"
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"shortcut": "a b", "title": "t", "text": "x"}, "shortcut"),
        ({"shortcut": "/hi", "title": "t", "text": "x"}, "shortcut"),
        ({"shortcut": "x" * 21, "title": "t", "text": "x"}, "shortcut"),
        ({"shortcut": "hi", "title": "", "text": "x"}, "title"),
        ({"shortcut": "hi", "title": "t" * 33, "text": "x"}, "title"),
        ({"shortcut": "hi", "title": "t", "text": " "}, "text"),
        ({"shortcut": "hi", "title": "t", "text": "x" * 1001}, "text"),
        ({"shortcut": "hi", "title": "t", "text": "您好{先生}"}, "text"),
        ({"shortcut": 7, "title": "t", "text": "x"}, "shortcut"),
    ],
)
def test_a_bad_field_is_named(body, field):
    with pytest.raises(InvalidInput) as raised:
        checked(body)
    assert raised.value.details == {"field": field}
