"""What CI checks so a data change cannot silently break understanding.

`rasa data validate` must pass, and the trained model must stay above a floor on the held-out set
(`make evaluate` measures the real figures; the floor sits a little below them).
"""

import pytest

from bot.ml.evaluation import HELDOUT, evaluate_model
from bot.ml.training import run_validation, train
from tests.rasa.nlu.conftest import ROOT

pytestmark = pytest.mark.e2e

# The FAQ topic score rests on 68 held-out messages: one message moves it by 1.5 points (measured
# 0.912 and 0.897 on two data revisions), so its floor sits two messages lower.
FLOOR = {"intent_accuracy": 0.90, "intent_macro_f1": 0.90, "faq_topic_accuracy": 0.87, "entity_value_accuracy": 0.90}


def test_rasa_data_validate():
    result = run_validation(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_heldout_scores_stay_above_the_floor(tmp_path):
    summary = evaluate_model(train(ROOT, ROOT / "models"), tmp_path, heldout=HELDOUT)
    scores = {name: round(summary[name], 3) for name in FLOOR}
    assert {name: score for name, score in scores.items() if score < FLOOR[name]} == {}, scores
