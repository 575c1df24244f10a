"""bot/load/metrics.py: the figures a load run reports."""

import math

import pytest

from bot.load.metrics import Sample, error_kinds, growth, percentile, summarise


@pytest.mark.parametrize(
    "fraction, expected",
    [
        (0.50, 50),  # nearest rank: the 50th of 100
        (0.95, 95),
        (0.99, 99),
        (1.00, 100),
        (0.001, 1),
    ],
)
def test_percentile_is_nearest_rank(fraction, expected):
    assert percentile(list(range(100, 0, -1)), fraction) == expected


def test_no_samples_no_percentile():
    assert math.isnan(percentile([], 0.5))


def test_summary_counts_only_good_answers_as_throughput():
    samples = [Sample(float(i), 100.0 + i, True) for i in range(20)] + [Sample(1.0, 5.0, False, "http 502")] * 2
    assert summarise(samples, window_s=10.0) == {
        "messages": 22,
        "messages_per_s": 2.0,
        "p50_ms": 109.0,
        "p95_ms": 118.0,
        "p99_ms": 119.0,
        "errors": 2,
    }
    assert error_kinds(samples + [Sample(2.0, 1.0, False, "timeout")]) == {"http 502": 2, "timeout": 1}


@pytest.mark.parametrize(
    "series, expected",
    [
        ([100.0, 101.0, 99.0, 104.0], 0.04),  # the largest later value
        ([100.0, 90.0], -0.10),
        ([100.0], 0.0),  # one sample: nothing to compare
    ],
)
def test_growth(series, expected):
    assert growth(series) == pytest.approx(expected)
