"""The trained model's policies read fewer states than the window they are given (bot/rasa/tracker_memo.py)."""

import pytest

from bot.ml.training import train
from bot.ops.settings import load_settings
from bot.rasa.model_window import reach, too_far
from bot.rasa.patches import STATES_WINDOW

pytestmark = pytest.mark.e2e


def test_no_policy_reads_as_far_back_as_the_window():
    settings = load_settings()
    model = train(settings.root, settings.models_dir)  # the model the e2e tests share
    found = reach(model)
    assert any(what.startswith("train_RulePolicy") and what.endswith("longest key") for what in found)
    assert any(what.startswith("train_TEDPolicy") and states == 5 for what, states in found.items())
    assert too_far(model, 5) == [f"{what} = {states}" for what, states in sorted(found.items()) if states >= 5]
    assert too_far(model, STATES_WINDOW) == []
