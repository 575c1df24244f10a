"""Masking personal data before agents and trainers see it."""

import pytest

from bot.privacy import PASSWORD_MARKER, mask_password, mask_personal_data, redact_slot_event, redact_user_event


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


@pytest.mark.parametrize(
    "text, masked",
    [
        ("654321", "******"),
        ("６５４３２１", "******"),
        ("我的密码是 65 43 21", "我的密码是 ** ** **"),
        ("号码13800138000", "号码13800138000"),  # the tracker keeps phone numbers
        ("交100块", "交100块"),
        ("", ""),
    ],
)
def test_mask_password(text, masked):
    assert mask_password(text) == masked


USER_EVENT = {
    "event": "user", "timestamp": 1.0, "text": "一二三四五六", "input_channel": "rest", "message_id": "m1",
    "parse_data": {"text": "一二三四五六", "intent": {"name": "inform", "confidence": 0.9},
                   "entities": [{"entity": "service_password", "value": "123456", "start": 0, "end": 6},
                                {"entity": "amount", "value": "50", "start": 0, "end": 2}],
                   "message_id": "m1", "metadata": {}},
    "metadata": {},
}


def test_redact_user_event_on_the_password_turn_keeps_nothing_of_the_text():
    redacted = redact_user_event(USER_EVENT, password_turn=True)
    assert redacted["text"] == PASSWORD_MARKER
    assert redacted["parse_data"]["text"] == PASSWORD_MARKER
    assert [e["value"] for e in redacted["parse_data"]["entities"]] == [PASSWORD_MARKER, PASSWORD_MARKER]
    assert redacted["parse_data"]["intent"] == USER_EVENT["parse_data"]["intent"]
    assert USER_EVENT["text"] == "一二三四五六"  # the event itself is not changed


def test_redact_user_event_on_other_turns_stars_what_looks_like_a_password():
    event = {**USER_EVENT, "text": "13800138000 密码654321 交50", "parse_data": {
        **USER_EVENT["parse_data"], "text": "13800138000 密码654321 交50"}}
    redacted = redact_user_event(event, password_turn=False)
    assert redacted["text"] == "*********** 密码****** 交**"
    assert [e["value"] for e in redacted["parse_data"]["entities"]] == [PASSWORD_MARKER, "50"]


def test_redact_slot_event():
    assert redact_slot_event({"event": "slot", "name": "service_password", "value": "123456"})["value"] == PASSWORD_MARKER
    assert redact_slot_event({"event": "slot", "name": "service_password", "value": None})["value"] is None
    assert redact_slot_event({"event": "slot", "name": "phone_number", "value": "13800138000"})["value"] == "13800138000"
