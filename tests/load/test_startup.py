"""bot/load/startup.py: the report, and the CLI's wiring."""

import argparse

from bot.cli import evaluate
from bot.load import startup
from bot.load.startup import Phase

PHASES = ("import tensorflow", "import rasa", "load model", "first parse", "first prediction")


def test_the_report_sets_our_load_beside_rasas():
    ours = [Phase(name, 1.0, 500.0 + n) for n, name in enumerate(PHASES)]
    stock = [Phase(name, 10.0, 1500.0 + n) for n, name in enumerate(PHASES)]
    report = startup.markdown(ours, stock, {"ready_s": 17.5, "peak_mib": 812.0})
    assert "| load model | 1.0 | 502.0 | 10.0 | 1502.0 |" in report
    assert "| total | 5.0 | 504.0 | 50.0 | 1504.0 |" in report
    assert "ready (healthy and warmed up) in **17.5 s**, peak memory **812.0 MiB**" in report


def test_the_benchmark_command_runs_the_startup_benchmark(monkeypatch, tmp_path):
    called = []
    monkeypatch.setattr("bot.cli.run.serving_model", lambda settings: tmp_path / "model.tar.gz")
    monkeypatch.setattr("bot.load.startup.benchmark", lambda root, model, out: called.append((root, model, out)))
    settings = argparse.Namespace(root=tmp_path)
    args = argparse.Namespace(conversation_length=0, startup=True)
    assert evaluate.benchmark(args, settings) == 0  # type: ignore[arg-type]
    assert called == [(tmp_path, tmp_path / "model.tar.gz", tmp_path / "results/load")]
