"""bot/load/crowd.py: the simulated customers' settings, conversations, judging and samples."""

import re
from pathlib import Path

import pytest

from bot.load.crowd import CrowdSettings, customer_rng, judge, next_conversation, read_samples, sample_line
from bot.load.metrics import Sample
from bot.load.scenarios import SCENARIOS

BALANCE = re.compile(r"您的话费余额为 -?[\d,]+\.\d\d 元")


def test_settings_travel_through_the_environment_unchanged(tmp_path):
    settings = CrowdSettings(token="t" * 20, path="/webhooks/rest/webhook", think_s=(0.5, 2.0), seed=7,
                             samples=tmp_path / "s.jsonl", timeout_s=12.0)  # fmt: skip
    assert CrowdSettings.from_env(settings.to_env()) == settings
    stock = CrowdSettings(token=None)
    assert stock.to_env()["TELEBOT_LOAD_TOKEN"] == "" and CrowdSettings.from_env(stock.to_env()) == stock


def test_a_think_time_upside_down_is_refused():
    with pytest.raises(ValueError, match="TELEBOT_LOAD_THINK"):
        CrowdSettings.from_env({"TELEBOT_LOAD_THINK": "3,1"})


def test_the_same_seed_makes_the_same_scenarios():
    def crowd(seed):
        return [next_conversation(customer_rng(seed, number)) for number in range(20)]

    first = crowd(3)
    names = [scenario.name for scenario, _ in first]
    assert names == [scenario.name for scenario, _ in crowd(3)] != [scenario.name for scenario, _ in crowd(4)]
    # ... but never the same sender twice, even from the same seed (the next load level's crowd)
    assert not {sender for _, sender in first} & {sender for _, sender in crowd(3)}
    assert {scenario.name for scenario, _ in first} <= {s.name for s in SCENARIOS}
    assert len({sender for _, sender in first}) == 20
    assert all(re.fullmatch(rf"load-{scenario.name}-[0-9a-f]{{12}}", sender) for scenario, sender in first)


@pytest.mark.parametrize(
    "status, body, failure, error",
    [
        (200, '[{"recipient_id": "x", "text": "您的话费余额为 12.50 元"}]', None, ""),
        (200, '[{"text": "对不起，我没听懂"}]', None, "unexpected reply to '查话费'"),
        (200, "not json", None, "unexpected reply to '查话费'"),
        (200, '{"text": "您的话费余额为 12.50 元"}', None, "unexpected reply to '查话费'"),
        (502, "<html>bad gateway</html>", None, "http 502"),
        (0, "", TimeoutError("timed out"), "timeout"),
        (0, "", ConnectionRefusedError(111, "refused"), "ConnectionRefusedError"),
        (0, "", None, "ConnectionError"),
    ],
)
def test_answers_are_judged_in_the_words_of_the_report(status, body, failure, error):
    assert judge(status, body, BALANCE, "查话费", failure) == error


def test_samples_come_back_as_written_and_a_cut_line_is_skipped(tmp_path):
    path = tmp_path / "samples.jsonl"
    path.write_text(sample_line(0.5, 12.345, "") + sample_line(1.25, 30.0, "http 502") + '{"started": 2', "utf-8")
    assert read_samples(path) == [Sample(0.5, 12.35, True, ""), Sample(1.25, 30.0, False, "http 502")]
    assert read_samples(Path(tmp_path / "missing.jsonl")) == []
