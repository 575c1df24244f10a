"""Which messages a trainer should review, masked and grouped."""

import yaml

from bot.ml.trainers.review import flag_conversation, nlu_yaml, review, summary


def user(text, intent, confidence, ranking=None, at=1790000000.0):
    ranking = ranking or [{"name": intent, "confidence": confidence}]
    return {
        "event": "user",
        "text": text,
        "timestamp": at,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, "intent_ranking": ranking},
    }


def action(name):
    return {"event": "action", "name": name}


UNCLEAR = user(
    "那个啥我13800138000手机咋回事",
    "nlu_fallback",
    0.5,
    [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "report_fault", "confidence": 0.41},
        {"name": "check_balance", "confidence": 0.3},
    ],
)
CONVERSATION = [
    user("查一下13800138000的话费", "check_balance", 0.98),
    action("balance_form"),
    user("123456", "inform", 0.9),
    action("action_check_balance"),
    UNCLEAR,
    action("action_clarify"),
    user("就是用不了", "complain", 0.42),
    action("action_clarify"),
    action("action_handoff"),
    {"event": "pause"},
    user("1分", "rate", 0.99),
]


def test_each_reason_is_found():
    flagged = {event["text"]: reasons for event, reasons in flag_conversation(CONVERSATION, 0.5)}
    assert flagged == {  # a low score flags the three customer messages before it
        "123456": {"low_satisfaction"},
        "那个啥我13800138000手机咋回事": {"low_confidence", "rephrase", "handoff", "low_satisfaction"},
        "就是用不了": {"low_confidence", "rephrase", "handoff", "low_satisfaction"},
    }


def test_the_export_is_masked_deduplicated_and_grouped_by_predicted_intent():
    candidates = review([CONVERSATION, [UNCLEAR, action("action_clarify")]], threshold=0.5)
    assert [(c.text, c.intent, c.count) for c in candidates] == [
        ("那个啥我138****8000手机咋回事", "report_fault", 2),  # masked; the likeliest real intent suggested
        ("就是用不了", "complain", 1),  # (the bare password was dropped: nothing to learn)
    ]
    document = yaml.safe_load(nlu_yaml(candidates, "header"))
    assert [block["intent"] for block in document["nlu"]] == ["complain", "report_fault"]
    assert document["nlu"][1]["examples"][0] == {
        "text": "那个啥我138****8000手机咋回事",
        "metadata": {
            "review": {
                "reasons": ["handoff", "low_confidence", "low_satisfaction", "rephrase"],
                "confidence": 0.41,
                "runner_up": "check_balance",
                "seen": 2,
            }
        },
    }
    facts = summary(candidates)
    assert facts["by_reason"] == {
        "low_confidence": 2,
        "rephrase": 2,
        "handoff": 2,
        "low_satisfaction": 2,
        "corrected": 0,
        "repeated": 0,
        "human_after_answer": 0,
        "left": 0,
    }
    assert facts["confused_pairs"][0] == {"intents": ["check_balance", "report_fault"], "messages": 1}


def test_the_period_limits_the_messages():
    import datetime as dt

    late = dt.datetime.fromtimestamp(1790000001, dt.timezone.utc)
    assert review([CONVERSATION], since=late) == []
