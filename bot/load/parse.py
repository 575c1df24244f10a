"""Parse-latency benchmark: p50/p95 of Rasa's /model/parse over the held-out and real-language messages.

`python -m bot benchmark` serves each pipeline's NLU model (trained by `python -m bot evaluate`,
or trained now if missing) with `python -m bot.rasa.server run --enable-api` (the API token in the
environment and in a header, never on the command line or in a URL) and sends the messages one at a time.
"""

import asyncio
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List

import aiohttp

from bot.load.ports import free_port
from bot.ml.evaluation import HELDOUT, PIPELINES, REAL, load_examples, train_nlu, variant_config
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


def benchmark(root: Path, out_root: Path, rounds: int = 2, variants: Iterable[str] = ()) -> Dict[str, Dict[str, float]]:
    """Our and the stock pipeline, and any variants of ours (bot/ml/variants.py), over the held-out
    and real-language messages."""
    texts = [example.text for path in (HELDOUT, REAL) for example in load_examples(path)]
    results = {}
    configs = {**PIPELINES, **{variant: variant_config(out_root, variant) for variant in variants}}
    for name, config in configs.items():
        model = out_root / name / "nlu.tar.gz"
        if not model.exists():
            train_nlu(config, out_root / name)
        port, token = free_port(), secrets.token_hex(16)
        # NLU only: no action server, in-memory tracker, no channels (so no channel tokens to set)
        endpoints, credentials = out_root / name / "endpoints.yml", out_root / name / "credentials.yml"
        endpoints.write_text("{}\n")
        credentials.write_text("{}\n")
        supervisor = Supervisor(out_root / name / "logs", root)
        supervisor.start(
            ServiceSpec(
                name="rasa-nlu",
                argv=[
                    sys.executable,
                    "-m",
                    "bot.rasa.server",
                    "run",
                    "--enable-api",
                    "-m",
                    str(model),
                    "--port",
                    str(port),
                    "-i",
                    "127.0.0.1",
                    "--endpoints",
                    str(endpoints),
                    "--credentials",
                    str(credentials),
                ],
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
