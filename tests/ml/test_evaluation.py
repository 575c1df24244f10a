"""bot/ml/evaluation.py: the scoring that `rasa test nlu` does not do."""

from bot.ml.evaluation import format_table, score_entities


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
        3, 0.5, 0.667, 0.571,
    )
    assert scores.value_accuracy == scores.recall


def test_no_entities_scores_zero_not_an_error():
    scores = score_entities([[]], [[]])
    assert (scores.precision, scores.recall, scores.f1, scores.gold) == (0.0, 0.0, 0.0, 0)


def test_table():
    table = format_table({
        "ours": {"intent_accuracy": 0.96, "intent_macro_f1": 0.95, "faq_topic_accuracy": None,
                 "entity_f1": 0.9, "entity_value_accuracy": 0.97, "training_seconds": 61.2},
    })
    assert table.splitlines() == [
        "| metric | ours |",
        "|---|---|",
        "| intent accuracy | 0.960 |",
        "| intent macro-F1 | 0.950 |",
        "| FAQ topic accuracy | — |",
        "| entity F1 (type+value) | 0.900 |",
        "| entity value accuracy | 0.970 |",
        "| training time (s) | 61 |",
    ]
