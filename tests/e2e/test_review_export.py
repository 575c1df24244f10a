"""Trainers' review export from the tracker store filled by real conversations (REST channel)."""

import pytest
import yaml

from bot.cli.review import export
from tests.e2e.test_handoff_conversations import tracker_events

pytestmark = pytest.mark.e2e

VAGUE = "嗯那个就是那个东西弄一下"


def test_unclear_and_handed_off_messages_are_exported_masked(chat, product, running, tmp_path):
    chat.say(VAGUE)
    chat.say("我的号码13800138000，帮我转人工")
    events = tracker_events(running.settings, chat.sender)
    vague = next(e for e in events if e["event"] == "user" and e["text"] == VAGUE)
    # The threshold just above what the model gave this message, whatever the model is today.
    threshold = min(1.0, vague["parse_data"]["intent"]["confidence"] + 0.001)
    path = export(f"sqlite:///{running.settings.tracker_db_path}", tmp_path, None, None, threshold)
    text = path.read_text(encoding="utf-8")
    assert "13800138000" not in text
    examples = {
        example["text"]: example["metadata"]["review"]
        for block in yaml.safe_load(text)["nlu"]
        for example in block["examples"]
    }
    assert "low_confidence" in examples[VAGUE]["reasons"] and "handoff" in examples[VAGUE]["reasons"]
    assert "handoff" in examples["我的号码138****8000，帮我转人工"]["reasons"]
    assert (tmp_path / path.name.replace(".yml", ".summary.json")).exists()
