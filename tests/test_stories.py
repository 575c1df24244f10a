"""Dialogue test stories (tests/stories/) through `rasa test core --fail-on-prediction-errors`."""

import subprocess
import sys

import pytest

from bot.ml.training import rasa_env, train
from bot.ops.settings import ROOT

pytestmark = pytest.mark.e2e


def test_every_test_story_is_predicted_exactly(tmp_path):
    model = train(ROOT, ROOT / "models")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--stories",
            str(ROOT / "tests" / "stories"),
            "-m",
            str(model),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details
