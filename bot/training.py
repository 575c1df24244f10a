"""Train the Rasa model when it is missing or older than its sources."""

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

# The custom NLU components shape the model too: changing their code retrains it.
TRAINING_SOURCES = ("data", "config.yml", "domain.yml", "bot/nlu")


def newest_mtime(paths: Iterable[Path]) -> float:
    newest = 0.0
    for path in paths:
        files = path.rglob("*") if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                newest = max(newest, file.stat().st_mtime)
    return newest


def latest_model(models_dir: Path) -> Optional[Path]:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def model_is_stale(root: Path, models_dir: Path) -> bool:
    model = latest_model(models_dir)
    if model is None:
        return True
    return model.stat().st_mtime < newest_mtime(root / name for name in TRAINING_SOURCES)


def rasa_env() -> dict:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}


def train(root: Path, models_dir: Path, *, force: bool = False) -> Path:
    """Train into `models_dir` unless an up-to-date model is there; returns the model path."""
    if not force and not model_is_stale(root, models_dir):
        model = latest_model(models_dir)
        assert model is not None
        return model
    print(f"train: training the model from data/, config.yml, domain.yml into {models_dir} ...", flush=True)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--out", str(models_dir), "--quiet"],
        cwd=root,
        env=rasa_env(),
        check=True,
    )
    model = latest_model(models_dir)
    if model is None:
        raise RuntimeError("rasa train finished but wrote no model")
    print(f"train: done in {time.monotonic() - started:.0f} s -> {model.name}", flush=True)
    return model
