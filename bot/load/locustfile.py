"""The simulated customers as locust users: `python -m locust -f bot/load/locustfile.py`.

`make loadtest` runs it headless, one locust process per load level (bot/load/runner.py). Against a
running product it also works by hand, with locust's web UI and CSV statistics:

    .venv/bin/locust -f bot/load/locustfile.py --host http://127.0.0.1:5005

The REST channel's token comes from TELEBOT_LOAD_TOKEN, or else from the product's own secrets
(var/secrets.json, as `make run` wrote them). Only the locust process imports this module: gevent
patches the standard library when locust starts, which no process of the product may see.
"""

import itertools
import os
import time
from typing import IO, Optional

import gevent
from locust import FastHttpUser, events, task

from bot.load.crowd import CrowdSettings, customer_rng, headers, judge, next_conversation, sample_line

_numbers = itertools.count()
_run: dict = {"started": time.time(), "out": None, "crashes": 0}


def _settings() -> CrowdSettings:
    settings = CrowdSettings.from_env(dict(os.environ))
    if "TELEBOT_LOAD_TOKEN" not in os.environ:  # by hand, against `make run`: the product's own token
        from bot.ops.settings import load_settings

        settings = CrowdSettings(**{**settings.__dict__, "token": load_settings().secrets["REST_CHANNEL_TOKEN"]})
    return settings


SETTINGS = _settings()


@events.test_start.add_listener
def _open_samples(**_kwargs) -> None:
    _run["started"] = time.time()
    if SETTINGS.samples is not None:
        _run["out"] = open(SETTINGS.samples, "w", encoding="utf-8")  # noqa: SIM115 - closed on quitting


@events.request.add_listener
def _record(response_time: float, exception: Optional[BaseException] = None, start_time: float = 0.0, **_kw) -> None:
    out: Optional[IO[str]] = _run["out"]
    if out is not None:
        out.write(sample_line((start_time or time.time()) - _run["started"], response_time, str(exception or "")))


@events.user_error.add_listener
def _count_crash(**_kwargs) -> None:
    _run["crashes"] += 1  # a bug of this file, not a wrong answer: the run must not pass for a result


@events.quitting.add_listener
def _close_samples(environment, **_kwargs) -> None:
    if _run["out"] is not None:
        _run["out"].close()
        _run["out"] = None
    if _run["crashes"]:
        environment.process_exit_code = 3


class Customer(FastHttpUser):
    """One customer: conversations one after another, a think time between its messages."""

    network_timeout = SETTINGS.timeout_s
    connection_timeout = SETTINGS.timeout_s

    def wait_time(self) -> float:
        return self.rng.uniform(*SETTINGS.think_s)

    def on_start(self) -> None:
        self.rng = customer_rng(SETTINGS.seed, next(_numbers))
        gevent.sleep(self.rng.uniform(0, SETTINGS.think_s[1]))  # customers do not all start at once

    @task
    def conversation(self) -> None:
        scenario, sender = next_conversation(self.rng)
        for number, (text, expected) in enumerate(scenario.turns):
            if number:
                gevent.sleep(self.wait_time())
            with self.client.post(
                SETTINGS.path,
                json={"sender": sender, "message": text},
                headers=headers(SETTINGS),
                name=f"{scenario.name} {number + 1}",
                catch_response=True,
            ) as response:
                failure = getattr(response, "error", None)  # set by locust only when no answer came
                error = judge(response.status_code or 0, response.text or "", expected, text, failure)
                if error:
                    response.failure(error)
                    return  # this conversation is off track: the customer starts another one
                response.success()
