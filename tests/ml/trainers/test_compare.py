"""The candidate-vs-deployed report from two evaluation runs."""

import json

from bot.ml.trainers.compare import comparison, markdown


def run(tmp_path, name, accuracy, balance_f1, errors):
    run_dir = tmp_path / name
    (run_dir / "report").mkdir(parents=True)
    (run_dir / "summary.json").write_text(
        json.dumps(
            {
                "model": f"models/{name}.tar.gz",
                "intent_accuracy": accuracy,
                "intent_macro_f1": accuracy - 0.01,
                "faq_topic_accuracy": 0.9,
                "entity_f1": 0.95,
                "entity_value_accuracy": 0.97,
            }
        )
    )
    (run_dir / "report" / "intent_report.json").write_text(
        json.dumps(
            {
                "check_balance": {"precision": 1, "recall": 1, "f1-score": balance_f1, "support": 20},
                "greet": {"precision": 1, "recall": 1, "f1-score": 1.0, "support": 8},
                "accuracy": accuracy,
                "macro avg": {"f1-score": accuracy - 0.01},
            }
        )
    )
    (run_dir / "report" / "intent_errors.json").write_text(
        json.dumps(
            [
                {"text": text, "intent": gold, "intent_prediction": {"name": predicted, "confidence": 0.61}}
                for text, gold, predicted in errors
            ]
        )
    )
    return run_dir


def test_figures_per_intent_f1_regressions_and_fixes(tmp_path):
    deployed = run(tmp_path, "deployed", 0.96, 0.95, [("在吗", "greet", "inform")])
    candidate = run(tmp_path, "candidate", 0.95, 0.90, [("还剩多少钱", "check_balance", "query_bill")])
    result = comparison(deployed, candidate)
    assert result["figures"]["intent_accuracy"] == {"deployed": 0.96, "candidate": 0.95}
    assert result["per_intent"] == [
        {"intent": "check_balance", "deployed": 0.95, "candidate": 0.90, "support": 20},
        {"intent": "greet", "deployed": 1.0, "candidate": 1.0, "support": 8},
    ]
    assert result["regressions"] == [
        {"text": "还剩多少钱", "intent": "check_balance", "candidate": "query_bill", "confidence": 0.61}
    ]
    assert result["fixed"] == ["在吗"]
    report = markdown(result)
    assert "| intent_accuracy | 0.960 | 0.950 | -0.010 |" in report
    assert "| check_balance | 20 | 0.950 | 0.900 | -0.050 |" in report
    assert "- 还剩多少钱 — expected `check_balance`, now `query_bill` (0.61)" in report
