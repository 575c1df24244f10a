"""bot/services/desk/labels.py covers the domain: every intent, and every slot an agent can be shown."""

from pathlib import Path

import yaml

from actions.handoff import HIDDEN_SLOTS
from bot.services.desk.labels import INTENT_LABELS, SLOT_LABELS, TASK_LABELS
from bot.services.operator.satisfaction import TASKS

DOMAIN = Path(__file__).resolve().parents[3] / "domain"


def _domain():
    intents, slots = set(), set()
    for path in sorted(DOMAIN.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents |= {item if isinstance(item, str) else next(iter(item)) for item in part.get("intents") or []}
        slots |= set(part.get("slots") or {})
    return intents, slots


def test_every_intent_and_shown_slot_has_a_chinese_name():
    intents, slots = _domain()
    assert intents and slots
    assert sorted(intents - set(INTENT_LABELS)) == []
    assert sorted(slots - HIDDEN_SLOTS - set(SLOT_LABELS)) == []


def test_the_names_are_chinese_and_distinct():
    for labels in (INTENT_LABELS, SLOT_LABELS, TASK_LABELS):
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in labels.values())
        assert len(set(labels.values())) == len(labels)


def test_every_rated_task_has_a_chinese_name_on_the_dashboard():
    assert sorted(TASK_LABELS) == sorted(TASKS)
