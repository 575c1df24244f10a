"""The trained model's neural parts loaded for prediction only (bot/rasa/patches.py) answer exactly
as with Rasa's own load: every NLU result of the held-out messages, and TED's probabilities."""

import asyncio
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.engine.constants import PLACEHOLDER_TRACKER
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.tensorflow.models import RasaModel

from bot.ml.training import train
from bot.ops.settings import load_settings
from bot.rasa import patches

pytestmark = pytest.mark.e2e


def parse_all(agent, texts):
    return [asyncio.run(agent.parse_message(text)) for text in texts]


def ted_probabilities(agent, parsed):
    """TED's own prediction (not the ensemble's pick) after each message, in a new conversation."""
    runner = agent.processor.graph_runner
    [node] = [name for name in runner._instantiated_nodes if name.startswith("run_TEDPolicy")]
    found = []
    for result in parsed:
        tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen")], agent.domain.slots)
        tracker.update(UserUttered(result["text"], result["intent"], result["entities"], result))
        found.append(runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[node])[node].probabilities)
    return found


def test_models_loaded_for_prediction_answer_as_rasa_loads_them(monkeypatch):
    settings = load_settings()
    model = train(settings.root, settings.models_dir)  # the model the e2e tests share
    texts = [m.get("text") for m in load_data(str(Path(settings.root) / "data/heldout/nlu.yml")).training_examples]
    assert len(texts) > 100

    patches.install()
    ours_load = RasaModel.__dict__["load"]
    assert ours_load.inference_only
    ours = Agent.load(str(model))
    monkeypatch.setattr(RasaModel, "load", ours_load.__func__.__wrapped__)  # Rasa's: a training step first
    stock = Agent.load(str(model))

    ours_parsed, stock_parsed = parse_all(ours, texts), parse_all(stock, texts)
    assert ours_parsed == stock_parsed
    assert {r["intent"]["name"] for r in ours_parsed} > {"faq", "check_balance"}  # a model that answers
    assert ted_probabilities(ours, ours_parsed[:40]) == ted_probabilities(stock, stock_parsed[:40])


def test_a_model_that_does_not_match_its_weights_is_refused(tmp_path):
    """Restoring checks every variable: weights saved by another architecture do not load silently."""
    import numpy as np
    import tensorflow as tf

    class Small(tf.keras.Model):
        def __init__(self, units):
            super().__init__()
            self.dense = tf.keras.layers.Dense(units)

        def call(self, x):
            return self.dense(x)

    saved = Small(3)
    saved(np.ones((1, 2), dtype="float32"))
    saved.save_weights(str(tmp_path / "w"), save_format="tf")
    other = Small(4)
    status = other.load_weights(str(tmp_path / "w"))
    with pytest.raises((AssertionError, ValueError)):
        other(np.ones((1, 2), dtype="float32"))
        status.assert_existing_objects_matched()
