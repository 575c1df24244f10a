"""One load level: locust (bot/load/locustfile.py) run headless as a process of its own, its
customers' samples read back, and the CPU it used.

Locust's own CSV statistics (`<prefix>_stats.csv`, `_stats_history.csv`, `_failures.csv`) are kept
beside the report when a prefix is given; the figures of the report come from the per-message
samples, so that the warm-up is left out exactly (bot/load/metrics.py).
"""

import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple
from urllib.parse import urlsplit

from bot.load.crowd import CrowdSettings, read_samples
from bot.load.metrics import Sample

LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")


class LoadFailed(RuntimeError):
    """Locust did not run: the message has the end of its output."""


@dataclass(frozen=True)
class LoadSpec:
    url: str  # the REST webhook
    token: Optional[str]  # Bearer token, or None for the stock channel
    customers: int
    duration_s: float  # measured
    warmup_s: float = 5.0  # run, not measured
    think_s: Tuple[float, float] = (1.0, 3.0)  # uniform, between a customer's messages
    timeout_s: float = 30.0
    seed: int = 1


@dataclass
class LoadRun:
    samples: List[Sample]
    generator_cpu_s: float  # CPU seconds of the locust process
    wall_s: float
    csv: List[Path] = field(default_factory=list)


def locust_command(spec: LoadSpec, csv_prefix: Optional[Path] = None) -> List[str]:
    parts = urlsplit(spec.url)
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", f"{parts.scheme}://{parts.netloc}",
        "--users", str(spec.customers), "--spawn-rate", str(spec.customers),  # on_start staggers them
        "--run-time", f"{math.ceil(spec.warmup_s + spec.duration_s)}s",
        # Wrong answers are figures of the report, not a failed run; a crash of a customer's code
        # still exits 3 (bot/load/locustfile.py).
        "--stop-timeout", "0", "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    if csv_prefix is not None:
        command += ["--csv", str(csv_prefix), "--csv-full-history"]
    return command


def run_load(spec: LoadSpec, csv_prefix: Optional[Path] = None) -> LoadRun:
    """All samples; those with `started` >= warmup_s belong to the measurement window."""
    if csv_prefix is not None:
        csv_prefix.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="telebot-locust-") as work:
        samples_path = Path(work) / "samples.jsonl"
        crowd = CrowdSettings(token=spec.token, path=urlsplit(spec.url).path, think_s=spec.think_s, seed=spec.seed,
                              samples=samples_path, timeout_s=spec.timeout_s)  # fmt: skip
        env = {**os.environ, **crowd.to_env(), "PYTHONUNBUFFERED": "1"}
        before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        try:
            done = subprocess.run(
                locust_command(spec, csv_prefix), env=env, capture_output=True, text=True,
                timeout=spec.warmup_s + spec.duration_s + spec.timeout_s + 60,
            )  # fmt: skip
        except subprocess.TimeoutExpired as error:
            raise LoadFailed(f"locust did not stop in time: {str(error.stderr or '')[-2000:]}") from error
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise LoadFailed(f"locust exited with code {done.returncode}: {(done.stderr or done.stdout)[-2000:]}")
        samples = read_samples(samples_path)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    csv = sorted(csv_prefix.parent.glob(f"{csv_prefix.name}_*.csv")) if csv_prefix is not None else []
    return LoadRun(samples=samples, generator_cpu_s=cpu, wall_s=wall, csv=csv)


def measured(samples: List[Sample], spec: LoadSpec) -> List[Sample]:
    return [s for s in samples if spec.warmup_s <= s.started < spec.warmup_s + spec.duration_s]
