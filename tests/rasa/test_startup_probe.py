"""bot/rasa/startup_probe.py: the phases timed in order, with the peak memory after each."""

import itertools

import pytest

from bot.rasa import startup_probe
from bot.rasa.startup_probe import PHASES


def test_each_phase_is_timed_in_turn_with_the_peak_memory_after_it(monkeypatch):
    ran = []
    ticks = itertools.count(0.0, 0.5)
    peaks = iter([400.0, 520.0, 800.0, 810.0, 830.0])
    monkeypatch.setattr(startup_probe, "peak_mib", lambda: next(peaks))
    steps = [lambda name=name: ran.append(name) for name in PHASES]
    assert startup_probe.timed(steps, clock=lambda: next(ticks)) == [
        {"name": "import tensorflow", "seconds": 0.5, "peak_mib": 400.0},
        {"name": "import rasa", "seconds": 0.5, "peak_mib": 520.0},
        {"name": "load model", "seconds": 0.5, "peak_mib": 800.0},
        {"name": "first parse", "seconds": 0.5, "peak_mib": 810.0},
        {"name": "first prediction", "seconds": 0.5, "peak_mib": 830.0},
    ]
    assert ran == list(PHASES)


def test_a_missing_phase_is_an_error():
    with pytest.raises(ValueError):
        startup_probe.timed([lambda: None])


def test_the_peak_memory_of_this_process_is_read():
    assert 10 < startup_probe.peak_mib() < 100_000
