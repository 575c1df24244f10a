"""What one simulated customer does and how its answers are judged (pure: no network, no gevent).

Used by the locust customers (bot/load/locustfile.py) and read back by the runner (bot/load/runner.py):
a customer holds the conversations of bot/load/scenarios.py one after another under a fresh sender
id each, and every answer must match its turn's pattern. The locust process writes one JSON line per
message (`sample_line`); the runner turns them back into `Sample`s (`read_samples`).
"""

import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from bot.load.metrics import Sample
from bot.load.scenarios import Scenario, pick, reply_text

REST_PATH = "/webhooks/rest/webhook"


@dataclass(frozen=True)
class CrowdSettings:
    """What the runner hands the locust process, through its environment (`to_env` / `from_env`)."""

    token: Optional[str]  # the REST channel's Bearer token; None for a stock `rasa run`
    path: str = REST_PATH
    think_s: Tuple[float, float] = (1.0, 3.0)  # uniform, between a customer's messages
    seed: int = 1
    samples: Optional[Path] = None  # where the locust process writes one JSON line per message
    timeout_s: float = 30.0

    def to_env(self) -> dict:
        env = {
            "TELEBOT_LOAD_PATH": self.path,
            "TELEBOT_LOAD_THINK": f"{self.think_s[0]},{self.think_s[1]}",
            "TELEBOT_LOAD_SEED": str(self.seed),
            "TELEBOT_LOAD_TIMEOUT": str(self.timeout_s),
            "TELEBOT_LOAD_TOKEN": self.token or "",  # "": no token (a stock `rasa run`)
        }
        if self.samples is not None:
            env["TELEBOT_LOAD_SAMPLES"] = str(self.samples)
        return env

    @classmethod
    def from_env(cls, env: dict) -> "CrowdSettings":
        low, high = (float(part) for part in env.get("TELEBOT_LOAD_THINK", "1,3").split(","))
        if not 0 <= low <= high:
            raise ValueError(f"TELEBOT_LOAD_THINK: two seconds, low,high with 0 <= low <= high, not {low},{high}")
        samples = env.get("TELEBOT_LOAD_SAMPLES")
        return cls(
            token=env.get("TELEBOT_LOAD_TOKEN") or None,
            path=env.get("TELEBOT_LOAD_PATH", REST_PATH),
            think_s=(low, high),
            seed=int(env.get("TELEBOT_LOAD_SEED", "1")),
            samples=Path(samples) if samples else None,
            timeout_s=float(env.get("TELEBOT_LOAD_TIMEOUT", "30")),
        )


def customer_rng(seed: int, number: int) -> random.Random:
    """Customer `number`'s own random sequence: the same crowd for the same seed."""
    return random.Random(seed * 100003 + number)


def next_conversation(rng: random.Random) -> Tuple[Scenario, str]:
    """The next scenario (from the customer's seeded sequence) under a sender id never used before:
    a seeded id would come back at the next load level, on the same tracker store, mid-conversation."""
    scenario = pick(rng)
    return scenario, f"load-{scenario.name}-{uuid.uuid4().hex[:12]}"


def headers(settings: CrowdSettings) -> dict:
    return {"Authorization": f"Bearer {settings.token}"} if settings.token else {}


def judge(status: int, body: str, expected, text: str, failure: Optional[BaseException] = None) -> str:
    """ "" if the answer is right; otherwise why not, in the words of the report ("http 502",
    "timeout", "unexpected reply to '...'", or the connection error's class)."""
    if status == 0:  # no answer at all; an HTTP error status is judged by its number
        name = type(failure).__name__ if failure is not None else "ConnectionError"
        return "timeout" if "timeout" in name.lower() else name
    if status != 200:
        return f"http {status}"
    try:
        replies = json.loads(body)
    except ValueError:
        return f"unexpected reply to {text!r}"
    if not isinstance(replies, list) or not expected.search(reply_text(replies)):
        return f"unexpected reply to {text!r}"
    return ""


def sample_line(started_s: float, latency_ms: float, error: str) -> str:
    return json.dumps({"started": round(started_s, 4), "ms": round(latency_ms, 2), "error": error}) + "\n"


def read_samples(path: Path) -> List[Sample]:
    """The samples written by the locust process; a line cut short by its exit is skipped."""
    samples: List[Sample] = []
    if not path.exists():
        return samples
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        samples.append(Sample(row["started"], row["ms"], not row["error"], row["error"]))
    return samples
