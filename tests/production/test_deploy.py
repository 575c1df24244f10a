"""Model deployment on the production profile: replica by replica, each out of nginx's rotation
while it loads, so customers see no failed message."""

import threading
import time
import uuid

import pytest

from bot.ml.trainers.deploy import deploy
from bot.ops.nginx import Balancer

pytestmark = pytest.mark.e2e


def test_a_rolling_deployment_drops_no_message(production, tmp_path):
    settings = production.settings
    urls = [settings.replica_url(index) for index in range(settings.rasa_replicas)]
    balancer = Balancer(settings.var_dir / "nginx")
    results, stop = [], threading.Event()

    def customer() -> None:  # keeps talking through nginx during the whole deployment
        while not stop.is_set():
            started = time.monotonic()
            status, replies = production.say(f"deploy-{uuid.uuid4().hex[:8]}", "营业厅几点开门", timeout=90)
            results.append((status, replies, time.monotonic() - started))
            time.sleep(0.2)

    talking = threading.Thread(target=customer)
    talking.start()
    try:
        verdict = deploy(
            production.model, tmp_path / "models", urls, settings.secrets["RASA_AUTH_TOKEN"], balancer=balancer
        )
    finally:
        stop.set()
        talking.join(120)
    assert verdict.accepted
    assert len(results) > 10
    assert [status for status, _, _ in results] == [200] * len(results)
    assert all(replies and replies[0].startswith("营业厅一般营业时间为") for _, replies, _ in results)
    # Never sent to a replica busy loading the model (that takes tens of seconds).
    assert max(seconds for _, _, seconds in results) < 5.0, sorted(seconds for _, _, seconds in results)[-3:]
    assert balancer.config["down"] == []  # every replica back in rotation
    assert "down;" not in (settings.var_dir / "nginx" / "nginx.conf").read_text()
