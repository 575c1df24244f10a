"""bot/rasa/channels/deliveries.py: a delivery of the handoff service found again in the tracker."""

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, ConversationResumed, UserUttered

from bot.rasa.channels.deliveries import bot_message, earlier_delivery, marked, valid_delivery_id


def test_an_agent_reply_is_found_by_its_id_with_what_it_said():
    events = [
        ConversationPaused(),
        BotUttered("您好，我是王芳", metadata=marked({"handoff_agent": "王芳"}, "agent-message-1")),
        UserUttered("好的"),
        BotUttered("您好，我是王芳", metadata=marked({"handoff_agent": "王芳"}, "agent-message-2")),
    ]
    assert earlier_delivery(events, "agent-message-1", "c1") == [{"recipient_id": "c1", "text": "您好，我是王芳"}]
    assert earlier_delivery(events, "agent-message-3", "c1") is None


def test_a_hand_back_is_the_bots_words_after_its_resume_up_to_the_next_listen():
    events = [
        ConversationPaused(),
        ConversationResumed(metadata=marked(None, "case-4-handback")),
        ActionExecuted("action_resume_after_handoff"),
        BotUttered("人工服务已结束"),
        BotUttered("请打分", data={"buttons": [{"title": "5分", "payload": '/rate{"score":5}'}]}),
        ActionExecuted("action_listen"),
        BotUttered("later"),
    ]
    assert earlier_delivery(events, "case-4-handback", "c1") == [
        {"recipient_id": "c1", "text": "人工服务已结束"},
        {"recipient_id": "c1", "text": "请打分", "buttons": [{"title": "5分", "payload": '/rate{"score":5}'}]},
    ]


def test_a_hand_back_that_said_nothing_yet_is_still_a_repeat():
    events = [ConversationResumed(metadata=marked(None, "case-5-close")), UserUttered("你好")]
    assert earlier_delivery(events, "case-5-close", "c1") == []


def test_without_an_id_the_metadata_is_unchanged():
    assert marked({"handoff_agent": "王芳"}, None) == {"handoff_agent": "王芳"}
    assert marked(None, "x") == {"handoff_delivery": "x"}


def test_a_bot_message_keeps_only_what_was_sent():
    event = BotUttered("看图", data={"image": "https://example.com/a.png", "buttons": [], "custom": None})
    assert bot_message("c1", event) == {"recipient_id": "c1", "text": "看图", "image": "https://example.com/a.png"}


@pytest.mark.parametrize(
    "value, valid", [(None, True), ("case-1-handback", True), ("", False), (7, False), ("x" * 65, False)]
)
def test_a_delivery_id_is_a_short_string_or_absent(value, valid):
    assert valid_delivery_id(value) is valid
