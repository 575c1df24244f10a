"""The dashboard's figures against the hand-computed set in fixture.py."""

import pytest

from bot.services.desk.reports import figures
from tests.services.desk.reports.fixture import AGENTS, CALLBACKS, CASES, LABELS, MESSAGES, NOW, RATINGS, SESSIONS


def reasons(**counts):
    return {group: counts.get(group, 0) for group in figures.GROUPS}


def row(conversations=0, contained=0, handed_off=0, abandoned=0, callbacks=0, **by_reason):
    return {
        "conversations": conversations,
        "contained": contained,
        "handed_off": handed_off,
        "by_reason": reasons(**by_reason),
        "abandoned": abandoned,
        "callbacks": callbacks,
    }


@pytest.fixture
def result():
    period = figures.period_ending_today(NOW, 2)
    return figures.dashboard(
        period,
        messages=MESSAGES,
        conversations=figures.conversations_of(SESSIONS),
        cases=CASES,
        ratings=RATINGS,
        callbacks=CALLBACKS,
        agents=AGENTS,
        labels=LABELS,
    )


def test_the_period(result):
    assert result["period"] == {
        "since": "2026-11-21T00:00:00+08:00",
        "until": "2026-11-23T00:00:00+08:00",
        "days": 2,
        "today": "2026-11-22",
    }


def test_volume_per_day_and_in_total(result):
    assert result["daily"] == [
        {"date": "2026-11-21", **row(2, 1, 1, asked=1)},
        {"date": "2026-11-22", **row(3, 1, 2, abandoned=1, callbacks=1, low_confidence=1, complaint=1)},
    ]
    assert result["totals"] == row(5, 2, 3, abandoned=1, callbacks=1, asked=1, low_confidence=1, complaint=1)


def test_volume_per_hour_of_today(result):
    hours = {item["hour"]: {k: v for k, v in item.items() if k != "hour"} for item in result["hourly"]}
    assert sorted(hours) == list(range(24))
    assert hours[8] == row(1, 0, 1, abandoned=1, callbacks=1, low_confidence=1)
    assert hours[9] == row(2, 1, 1, complaint=1)
    assert all(hours[hour] == row() for hour in range(24) if hour not in (8, 9))


def test_queue_wait_and_first_response(result):
    # Cases 1 and 3 were taken in the period (case 0 before it): waits 120 s and 600 s, replies 60 s and 300 s.
    assert result["queue_wait"] == {"count": 2, "p50_s": 120, "p95_s": 600}
    assert result["first_response"] == {"count": 2, "p50_s": 60, "p95_s": 300}


def test_satisfaction_per_task_and_per_agent(result):
    assert result["satisfaction"] == {
        "overall": {"count": 4, "average": 3.5, "scores": {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}},
        "by_task": [
            {"task": "balance", "count": 1, "average": 4.0, "scores": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}},
            {"task": "handoff", "count": 3, "average": 3.33, "scores": {"1": 0, "2": 1, "3": 1, "4": 0, "5": 1}},
        ],
        "by_agent": [
            {
                "agent_id": 1,
                "agent_name": "王芳",
                "count": 2,
                "average": 4.0,
                "scores": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1},
            },
            {
                "agent_id": 2,
                "agent_name": "李强",
                "count": 1,
                "average": 2.0,
                "scores": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0},
            },
        ],
    }


def test_understanding_covers_typed_messages_with_the_unrecognised_masked(result):
    assert result["understanding"] == {
        "messages": 6,
        "fallbacks": 3,
        "fallback_rate": 0.5,
        "intents": [
            {"intent": "nlu_fallback", "label": "未识别", "count": 3},
            {"intent": "check_balance", "label": "查余额", "count": 1},
            {"intent": "complain", "label": "投诉", "count": 1},
            {"intent": "request_human", "label": "转人工", "count": 1},
        ],
        "unrecognised": [
            {"text": "asdf乱码", "count": 2},
            {"text": "我的号码138****8000还是不行", "count": 1},
        ],
    }


def test_an_empty_period():
    result = figures.dashboard(
        figures.period_ending_today(NOW, 1),
        messages=[],
        conversations=[],
        cases=[],
        ratings=[],
        callbacks=[],
        agents={},
        labels={},
    )
    assert result["totals"] == row()
    assert result["queue_wait"] == {"count": 0, "p50_s": None, "p95_s": None}
    assert result["satisfaction"]["overall"] == {"count": 0, "average": None, "scores": dict.fromkeys("12345", 0)}
    assert result["understanding"]["fallback_rate"] is None


@pytest.mark.parametrize(
    "values, p, expected",
    [([1], 50, 1), ([1], 95, 1), ([3, 1, 2], 50, 2), (list(range(1, 21)), 95, 19), (list(range(1, 21)), 50, 10)],
)
def test_nearest_rank_percentiles(values, p, expected):
    assert figures.percentile(values, p) == expected


def test_a_case_opened_in_a_later_conversation_does_not_count_for_the_earlier():
    sessions = [("s", [MESSAGES[1]]), ("s", [MESSAGES[3]])]  # web-a's message times, as one sender "s"
    conversations = figures.conversations_of(sessions)
    assert [(c.started, c.ends) for c in conversations] == [
        (MESSAGES[1].at, MESSAGES[3].at),
        (MESSAGES[3].at, None),
    ]


def test_a_timed_out_case_converted_into_a_callback_is_not_abandoned():
    import dataclasses

    converted = [dataclasses.replace(case, status="callback") if case.id == 2 else case for case in CASES]
    period = figures.period_ending_today(NOW, 1)
    _daily, _hourly, total = figures.volume(period, figures.conversations_of(SESSIONS), converted, CALLBACKS)
    assert (total["handed_off"], total["abandoned"], total["callbacks"]) == (2, 0, 1)
