"""bot/ml/evaluation.py: the scoring that `rasa test nlu` does not do."""

from bot.ml.evaluation import Prediction, format_table, format_thresholds, score_entities, threshold_table


def test_entity_scores_count_type_and_value():
    gold = [
        [("amount", "50"), ("payment_method", "微信")],  # both found
        [("month", "上个月")],  # found with a wrong value
        [],  # nothing to find, one false positive
    ]
    predicted = [
        [("payment_method", "微信"), ("amount", "50")],
        [("month", "本月")],
        [("bill_type", "话费")],
    ]
    scores = score_entities(gold, predicted)
    assert (scores.gold, round(scores.precision, 3), round(scores.recall, 3), round(scores.f1, 3)) == (
        3,
        0.5,
        0.667,
        0.571,
    )
    assert scores.value_accuracy == scores.recall


def test_no_entities_scores_zero_not_an_error():
    scores = score_entities([[]], [[]])
    assert (scores.precision, scores.recall, scores.f1, scores.gold) == (0.0, 0.0, 0.0, 0)


def test_table():
    table = format_table(
        {
            "ours": {
                "messages": 287,
                "intent_accuracy": 0.96,
                "intent_macro_f1": 0.95,
                "faq_topic_accuracy": None,
                "entity_f1": 0.9,
                "entity_value_accuracy": 0.97,
                "training_seconds": 61.2,
            },
        }
    )
    assert table.splitlines() == [
        "| metric | ours |",
        "|---|---|",
        "| messages | 287 |",
        "| intent accuracy | 0.960 |",
        "| intent macro-F1 | 0.950 |",
        "| FAQ topic accuracy | — |",
        "| entity F1 (type+value) | 0.900 |",
        "| entity value accuracy | 0.970 |",
        "| below the fallback threshold | — |",
        "| training time (s) | 61 |",
    ]


def test_threshold_table_counts_what_falls_below_and_what_is_right_above():
    gold = ["check_balance", "faq/invoice", "greet", "query_bill"]
    predictions = [
        Prediction([], "check_balance", 0.9),
        Prediction([], "faq/hotline", 0.65),  # a FAQ topic counts as faq
        Prediction([], "thank", 0.45),
        Prediction([], "query_bill", 0.35),
    ]
    table = threshold_table(gold, predictions)
    assert table["0.3"] == {"below": 0.0, "accuracy_above": 0.75, "right_at_once": 0.75}
    assert table["0.5"] == {"below": 0.5, "accuracy_above": 1.0, "right_at_once": 0.5}
    assert table["0.7"] == {"below": 0.75, "accuracy_above": 1.0, "right_at_once": 0.25}
    lines = format_thresholds({"ours · real": {"thresholds": table}}).splitlines()
    assert lines[2:5] == ["| threshold | ours · real |", "|---|---|", "| 0.3 | 0.00 / 0.75 / 0.75 |"]
