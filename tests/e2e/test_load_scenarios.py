"""The load benchmark's simulated customers against the running product: every conversation it
holds goes as the bot really answers (so a changed answer cannot turn the benchmark into errors)."""

import pytest

from bot.load.metrics import summarise
from bot.load.runner import LoadSpec, measured, run_load

pytestmark = pytest.mark.e2e


def test_a_short_load_run_has_no_errors(product):
    spec = LoadSpec(
        url=f"{product.rasa_url}/webhooks/rest/webhook",
        token=product.secrets["REST_CHANNEL_TOKEN"],
        customers=6,
        duration_s=12.0,
        warmup_s=0.0,
        think_s=(0.1, 0.3),
        seed=3,
    )
    samples = measured(run_load(spec).samples, spec)  # locust, as `make loadtest` runs it
    figures = summarise(samples, spec.duration_s)
    assert figures["errors"] == 0, [s.error for s in samples if not s.ok]
    assert figures["messages"] >= 40
