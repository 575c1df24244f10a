"""Parse-latency benchmark: p50/p95 of Rasa's /model/parse over the held-out messages.

`python -m bot benchmark` serves each pipeline's NLU model (trained by `python -m bot evaluate`,
or trained now if missing) with `python -m bot.rasa.server run --enable-api` (the API token in the
environment and in a header, never on the command line or in a URL) and sends the messages one at a time.
"""

import asyncio
import secrets
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

import aiohttp

from bot.ml.evaluation import HELDOUT, PIPELINES, load_examples, train_nlu
from bot.ml.training import rasa_env
from bot.ops.processes import ServiceSpec, Supervisor


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def measure(url: str, token: str, texts: List[str], rounds: int) -> List[float]:
    timings = []
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session:
        for _ in range(3):  # warm-up
            async with session.post(f"{url}/model/parse", headers=headers, json={"text": texts[0]}) as r:
                r.raise_for_status()
        for _ in range(rounds):
            for text in texts:
                started = time.perf_counter()
                async with session.post(f"{url}/model/parse", headers=headers, json={"text": text}) as r:
                    r.raise_for_status()
                    await r.json()
                timings.append((time.perf_counter() - started) * 1000)
    return timings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def benchmark(root: Path, out_root: Path, rounds: int = 2) -> Dict[str, Dict[str, float]]:
    texts = [example.text for example in load_examples(HELDOUT)]
    results = {}
    for name, config in PIPELINES.items():
        model = out_root / name / "nlu.tar.gz"
        if not model.exists():
            train_nlu(config, out_root / name)
        port, token = free_port(), secrets.token_hex(16)
        endpoints = out_root / name / "endpoints.yml"  # NLU only: no action server, in-memory tracker
        endpoints.write_text("{}\n")
        supervisor = Supervisor(out_root / name / "logs", root)
        supervisor.start(
            ServiceSpec(
                name="rasa-nlu",
                argv=[sys.executable, "-m", "bot.rasa.server", "run", "--enable-api", "-m", str(model),
                      "--port", str(port), "-i", "127.0.0.1", "--endpoints", str(endpoints)],
                env={**rasa_env(), "RASA_AUTH_TOKEN": token, "PYTHONPATH": str(root)},
                health_url=f"http://127.0.0.1:{port}/status",
                health_headers={"Authorization": f"Bearer {token}"},
            )
        )
        try:
            supervisor.wait_healthy()
            timings = asyncio.run(measure(f"http://127.0.0.1:{port}", token, texts, rounds))
        finally:
            supervisor.stop()
        results[name] = {
            "requests": len(timings),
            "p50_ms": statistics.median(timings),
            "p95_ms": percentile(timings, 0.95),
            "mean_ms": statistics.fmean(timings),
        }
    print("| pipeline | requests | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|---|")
    for name, result in results.items():
        print(
            f"| {name} | {result['requests']} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} "
            f"| {result['mean_ms']:.1f} |"
        )
    return results
