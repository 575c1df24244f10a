"""Masking personal data before agents and trainers see it."""

import pytest

from bot.core.privacy import (
    PASSWORD_MARKER,
    mask_password,
    mask_personal_data,
    mask_personal_values,
    mask_six_digit_runs,
    redact_bot_event,
    redact_slot_event,
    redact_user_event,
)


@pytest.mark.parametrize(
    "text, masked",
    [
        # phone numbers: kept for the agent as 138****8000, however typed
        ("查一下13800138000的话费", "查一下138****8000的话费"),
        ("号码是 138 0013 8000", "号码是 138****8000"),
        ("号码是 138-0013-8000", "号码是 138****8000"),
        ("１３８００１３８０００", "138****8000"),
        # 6-digit runs (service passwords): together, spaced, dashed, full-width, other scripts
        ("123456", "******"),
        ("密码654321对吗", "密码******对吗"),
        ("密码是 12 34 56", "密码是 ** ** **"),
        ("1 2 3 4 5 6", "* * * * * *"),
        ("123-456", "***-***"),
        ("１２ ３４ ５６", "** ** **"),
        ("１２３４５６", "******"),
        ("12\u300034\u300056", "**\u3000**\u3000**"),  # ideographic spaces
        ("1\u200b2\u200b3\u200b4\u200b5\u200b6", "*\u200b*\u200b*\u200b*\u200b*\u200b*"),  # zero-width
        ("\u0661\u0662\u0663\u0664\u0665\u0666", "******"),  # Arabic-Indic digits
        ("13800138000 123456", "138****8000 ******"),  # phone and password in one message
        ("13800138000 12 34 56", "138****8000 ** ** **"),
        ("138 0013 8000 12 34 56", "138****8000 ** ** **"),
        # bank cards and ID numbers keep their last 4, also typed in groups
        ("卡号6222021234567890123", "卡号***************0123"),
        ("卡号 6222 0212 3456 7890", "卡号 **** **** **** 7890"),
        ("卡号 6222-0212-3456-7890-123", "卡号 ****-****-****-***0-123"),
        ("卡号６２２２０２１２３４５６７８９０", "卡号************7890"),
        ("身份证44030119900101123X", "身份证**************123X"),
        ("身份证 440301 19900101 123X", "身份证 ****** ******** 123X"),
        ("身份证 440301 1990 0101 1234", "身份证 ****** **** **** 1234"),
        ("身份证440301199001011234", "身份证**************1234"),
        # what is not personal data is kept
        ("交50块话费，账单T20261120001", "交50块话费，账单T20261120001"),
        ("2026-11-20 交了 50 元", "2026-11-20 交了 50 元"),  # a date has 8 digits
        ("12 34 56 78", "12 34 56 78"),  # 8 digits in groups: not a password
        ("1234567", "1234567"),
        ("", ""),
    ],
)
def test_mask_personal_data(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text, masked",
    [
        ("123456", "******"),
        ("12 34 56", "** ** **"),
        ("“12 34 56”不是有效的11位手机号码", "“** ** **”不是有效的11位手机号码"),
        ("13800138000", "13800138000"),  # phone numbers are not 6-digit runs
        ("138 0013 8000", "138 0013 8000"),
        ("T20261120001", "T20261120001"),
        ("交100块", "交100块"),
    ],
)
def test_mask_six_digit_runs(text, masked):
    assert mask_six_digit_runs(text) == masked


def test_mask_personal_values_masks_every_string_and_keeps_keys():
    value = {
        "slots": {"fault_description": "密码123456", "amount": 50, "phone": "13800138000"},
        "intents": [{"name": "inform", "text": "12 34 56"}],
        "123456": None,
    }
    assert mask_personal_values(value) == {
        "slots": {"fault_description": "密码******", "amount": 50, "phone": "138****8000"},
        "intents": [{"name": "inform", "text": "** ** **"}],
        "123456": None,
    }


@pytest.mark.parametrize(
    "text, masked",
    [
        ("654321", "******"),
        ("６５４３２１", "******"),
        ("我的密码是 65 43 21", "我的密码是 ** ** **"),
        ("65 43 21", "** ** **"),  # spaced, without the word 密码
        ("６５ ４３ ２１", "** ** **"),
        ("13800138000 654321", "13800138000 ******"),
        ("号码13800138000", "号码13800138000"),  # the tracker keeps phone numbers
        ("交100块", "交100块"),
        ("", ""),
    ],
)
def test_mask_password(text, masked):
    assert mask_password(text) == masked


USER_EVENT = {
    "event": "user",
    "timestamp": 1.0,
    "text": "一二三四五六",
    "input_channel": "rest",
    "message_id": "m1",
    "parse_data": {
        "text": "一二三四五六",
        "intent": {"name": "inform", "confidence": 0.9},
        "entities": [
            {"entity": "service_password", "value": "123456", "start": 0, "end": 6},
            {"entity": "amount", "value": "50", "start": 0, "end": 2},
        ],
        "message_id": "m1",
        "metadata": {},
    },
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
    event = {
        **USER_EVENT,
        "text": "13800138000 密码654321 交50",
        "parse_data": {**USER_EVENT["parse_data"], "text": "13800138000 密码654321 交50"},
    }
    redacted = redact_user_event(event, password_turn=False)
    assert redacted["text"] == "*********** 密码****** 交**"
    assert [e["value"] for e in redacted["parse_data"]["entities"]] == [PASSWORD_MARKER, "50"]


def test_redact_slot_event():
    assert (
        redact_slot_event({"event": "slot", "name": "service_password", "value": "123456"})["value"] == PASSWORD_MARKER
    )
    assert redact_slot_event({"event": "slot", "name": "service_password", "value": None})["value"] is None
    assert (
        redact_slot_event({"event": "slot", "name": "phone_number", "value": "13800138000"})["value"] == "13800138000"
    )


def test_redact_slot_event_stars_six_digit_runs_in_the_customers_own_words_only():
    assert (
        redact_slot_event({"event": "slot", "name": "fault_description", "value": "断网了 65 43 21"})["value"]
        == "断网了 ** ** **"
    )
    assert (
        redact_slot_event({"event": "slot", "name": "complaint_description", "value": "654321"})["value"]
        == PASSWORD_MARKER
    )
    # machine-made values are read back next turn: kept exactly
    key = "pay-123456-0f3a"
    assert redact_slot_event({"event": "slot", "name": "pay_key", "value": key})["value"] == key
    assert redact_slot_event({"event": "slot", "name": "amount", "value": "100000"})["value"] == "100000"


def test_redact_bot_event_stars_the_echo_in_the_text_and_in_the_values_it_was_filled_with():
    event = {
        "event": "bot",
        "timestamp": 1.0,
        "text": "“654321”不是有效的11位手机号码，请重新输入，例如 13800138000。",
        "data": {"buttons": None},
        "metadata": {"utter_action": "utter_invalid_phone_number", "value": "654321", "nested": ["12 34 56"]},
    }
    assert redact_bot_event(event) == {
        "event": "bot",
        "timestamp": 1.0,
        "text": "“******”不是有效的11位手机号码，请重新输入，例如 13800138000。",
        "data": {"buttons": None},
        "metadata": {"utter_action": "utter_invalid_phone_number", "value": "******", "nested": ["** ** **"]},
    }
    assert event["metadata"]["value"] == "654321"  # the event itself is not changed


def test_redact_bot_event_keeps_the_id_of_a_handoff_delivery_as_it_is():
    event = {
        "event": "bot",
        "text": "您好",
        "metadata": {"handoff_agent": "王芳", "handoff_delivery": "agent-message-123456"},
    }
    assert redact_bot_event(event)["metadata"] == {"handoff_agent": "王芳", "handoff_delivery": "agent-message-123456"}
