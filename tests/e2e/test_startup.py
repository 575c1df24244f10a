"""`python -m bot.rasa.startup_probe MODEL`: a fresh Rasa process loads the trained model and reports its phases."""

import pytest

from bot.load.startup import measure
from bot.ml.training import train
from bot.ops.settings import load_settings
from bot.rasa.startup_probe import PHASES

pytestmark = pytest.mark.e2e


def test_a_fresh_process_reports_each_phase_of_loading_the_model():
    settings = load_settings()
    model = train(settings.root, settings.models_dir)  # the model the e2e tests share
    phases = measure(settings.root, model, stock=False)
    assert [phase.name for phase in phases] == list(PHASES)
    assert all(phase.seconds >= 0 for phase in phases)
    peaks = [phase.peak_mib for phase in phases]
    assert peaks == sorted(peaks) and peaks[0] > 100  # TensorFlow alone is hundreds of MiB
    assert phases[2].seconds > 0.5  # the model is really loaded
