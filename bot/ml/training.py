"""Train the Rasa model when it is missing or older than its sources."""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterable, List, Optional

# What Rasa trains on, named explicitly: data/heldout/ (the evaluation set) must never be trained on.
TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")
DOMAIN = "domain"  # a directory: domain/<capability>.yml, merged by Rasa
# The lexicon, the jieba dictionary and the custom NLU components shape the model too: changing them retrains it.
TRAINING_SOURCES = (*TRAINING_DATA, "data/lexicon", "data/jieba", "config.yml", DOMAIN, "bot/rasa/nlu")


def data_args() -> List[str]:
    """`rasa train` and `rasa data validate` arguments naming the training data and the domain."""
    return ["--data", *TRAINING_DATA, "--domain", DOMAIN]


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


class TrainingError(RuntimeError):
    """The data does not validate, or training failed; the message says what to fix."""


def run_validation(root: Path) -> "subprocess.CompletedProcess[str]":
    """`rasa data validate` on the training data and the domain, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", *data_args()],
        cwd=root,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )


def validate(root: Path) -> None:
    """`rasa data validate` first: stop with its errors rather than train on broken data."""
    result = run_validation(root)
    if result.returncode != 0:
        raise TrainingError(
            "the training data does not validate (rasa data validate):\n"
            + "\n".join(validation_problems(result.stdout + result.stderr))
        )


# Warnings rasa data validate gives for a healthy project too: not what stopped it.
_HARMLESS = ("is not used in any story or rule", "but is not found in the NLU training data")


def validation_problems(output: str) -> List[str]:
    """The lines of `rasa data validate`'s output that say what is wrong, without colour codes."""
    problems = []
    for line in re.sub(r"\x1b\[[0-9;]*m", "", output).splitlines():
        if "UserWarning:" in line and not any(harmless in line for harmless in _HARMLESS):
            problems.append(line.split("UserWarning:", 1)[1].strip())
        elif "ERROR" in line or "completed with errors" in line or re.match(r"\s*\w+(Exception|Error): ", line):
            problems.append(line.strip())  # also a file Rasa could not read (YamlSyntaxException: ...)
    return problems[-20:]


class Heartbeat:
    """Prints the elapsed time every `every` seconds while a long step runs."""

    def __init__(self, label: str, every: float = 30.0) -> None:
        self.label, self.every = label, every
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            print(f"{self.label}: {time.monotonic() - self.started:.0f} s elapsed ...", flush=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


def rasa_env() -> dict:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}


def train(root: Path, models_dir: Path, *, force: bool = False) -> Path:
    """Train into `models_dir` unless an up-to-date model is there; returns the model path."""
    if not force and not model_is_stale(root, models_dir):
        model = latest_model(models_dir)
        assert model is not None
        return model
    print("train: checking the data (rasa data validate) ...", flush=True)
    validate(root)
    print(
        f"train: training the model from {', '.join(TRAINING_DATA)}, config.yml, {DOMAIN} into {models_dir} ...",
        flush=True,
    )
    started = time.monotonic()
    with Heartbeat("train"):
        result = subprocess.run(
            [sys.executable, "-m", "rasa", "train", *data_args(), "--out", str(models_dir), "--quiet"],
            cwd=root,
            env=rasa_env(),
        )
    if result.returncode != 0:
        raise TrainingError(f"rasa train failed (exit status {result.returncode}); its messages are above")
    model = latest_model(models_dir)
    if model is None:
        raise RuntimeError("rasa train finished but wrote no model")
    print(f"train: done in {time.monotonic() - started:.0f} s -> {model.name}", flush=True)
    return model
