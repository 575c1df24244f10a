"""bot/load/longchat.py: the long conversation's script, its figures per position and the report."""

import math

import pytest

from bot.load.longchat import CYCLE, EARLY, LATE, OPENING, Measured, figures, markdown, script


def test_the_script_checks_identity_once_then_asks_the_cycle_in_turn():
    turns = script(12)
    assert [text for text, _ in turns] == [text for text, _ in OPENING] + [text for text, _ in CYCLE] + [
        text for text, _ in CYCLE[:4]
    ]
    assert turns[3][1].search("本月流量共 40GB，已用 27.5GB，剩余 12.5GB")
    assert not turns[3][1].search("您的话费余额为 58.30 元")
    with pytest.raises(ValueError):
        script(2)


def test_both_windows_hold_each_question_once():
    turns = script(200)
    early = sorted(text for text, _ in turns[EARLY[0] - 1 : EARLY[1]])
    late = sorted(text for text, _ in turns[LATE[0] - 1 : LATE[1]])
    assert early == late == sorted(text for text, _ in CYCLE)


def conversation(length, reply=lambda n: 100.0 + n, cpu=lambda n: 50.0 + n, wrong=()):
    return [
        Measured(n, reply(n), cpu(n), 10 * n, "unexpected reply" if n in wrong else "") for n in range(1, length + 1)
    ]


def test_figures_per_position_and_the_ratio_of_message_150_to_message_5():
    result = figures([conversation(200), conversation(200, reply=lambda n: 120.0 + n)])
    rows = {row["position"]: row for row in result.rows}
    assert sorted(rows) == [*range(1, 11), 50, *range(100, 201, 10)]
    assert rows[5] == {"position": 5, "reply_ms": 115.0, "cpu_ms": 55.0, "events": 50, "messages": 2}
    assert result.early["reply_ms"] == 116.0  # median of 104..108 and 124..128
    assert result.late["cpu_ms"] == pytest.approx(201.0)
    assert result.ratio("reply_ms") == pytest.approx(261.0 / 116.0)
    assert result.events_per_message == 10
    assert result.errors == []


def test_wrong_answers_are_listed_and_left_out_of_the_figures():
    result = figures([conversation(160, wrong={5, 150})])
    assert result.errors == ["message 5: unexpected reply", "message 150: unexpected reply"]
    assert {row["position"] for row in result.rows} >= {1, 10, 50} and 5 not in {r["position"] for r in result.rows}
    assert result.early["messages"] == 4


def test_a_conversation_too_short_for_the_late_window_has_no_ratio():
    result = figures([conversation(60)])
    assert result.late is None and math.isnan(result.ratio("cpu_ms"))
    assert "Message 150" not in markdown(result, "embedded")


def test_the_report_states_the_target_and_whether_it_is_met():
    flat = markdown(figures([conversation(200, reply=lambda n: 100.0, cpu=lambda n: 60.0)]), "embedded")
    assert "reply 100 / 100 ms = **1.00×**, CPU 60 / 60 ms = **1.00×** (within the target of 1.2×)" in flat
    assert "| 150 | 100 | 60 | 1500 |" in flat
    growing = markdown(figures([conversation(200, reply=lambda n: 10.0 * n)]), "production")
    assert "(above the target of 1.2×)" in growing and "## Long conversation (production): 1 × 200" in growing
