"""Simulated customers (aiohttp): each holds conversations one after another through Rasa's REST
channel, with a think time between its messages, and every answer is checked."""

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from typing import List, Optional

import aiohttp

from bot.load.metrics import Sample
from bot.load.scenarios import pick, reply_text


@dataclass(frozen=True)
class LoadSpec:
    url: str  # the REST webhook
    token: Optional[str]  # Bearer token, or None for the stock channel
    customers: int
    duration_s: float  # measured
    warmup_s: float = 5.0  # run, not measured
    think_s: tuple = (1.0, 3.0)  # uniform, between a customer's messages
    timeout_s: float = 30.0
    seed: int = 1


async def _customer(number: int, spec: LoadSpec, session: aiohttp.ClientSession, started: float, stop_at: float,
                    samples: List[Sample]) -> None:
    rng = random.Random(spec.seed * 100003 + number)
    await asyncio.sleep(rng.uniform(0, spec.think_s[1]))  # customers do not all start at once
    headers = {"Authorization": f"Bearer {spec.token}"} if spec.token else {}
    while time.monotonic() < stop_at:
        scenario = pick(rng)
        sender = f"load-{scenario.name}-{uuid.uuid4().hex[:12]}"
        for text, expected in scenario.turns:
            if time.monotonic() >= stop_at:
                return
            sent = time.monotonic()
            error = ""
            try:
                async with session.post(spec.url, json={"sender": sender, "message": text}, headers=headers) as answer:
                    if answer.status != 200:
                        error = f"http {answer.status}"
                    else:
                        replies = await answer.json(content_type=None)
                        if not expected.search(reply_text(replies)):
                            error = f"unexpected reply to {text!r}"
            except asyncio.TimeoutError:
                error = "timeout"
            except aiohttp.ClientError as failure:
                error = type(failure).__name__
            done = time.monotonic()
            samples.append(Sample(sent - started, (done - sent) * 1000, not error, error))
            if error:
                break  # this conversation is off track: the customer starts another one
            await asyncio.sleep(rng.uniform(*spec.think_s))


async def run_load(spec: LoadSpec) -> List[Sample]:
    """All samples; those with `started` >= warmup_s belong to the measurement window."""
    samples: List[Sample] = []
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=spec.timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        stop_at = started + spec.warmup_s + spec.duration_s
        await asyncio.gather(*(_customer(n, spec, session, started, stop_at, samples) for n in range(spec.customers)))
    return samples


def measured(samples: List[Sample], spec: LoadSpec) -> List[Sample]:
    return [s for s in samples if spec.warmup_s <= s.started < spec.warmup_s + spec.duration_s]
