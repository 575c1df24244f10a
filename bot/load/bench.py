"""`python -m bot loadtest` and `python -m bot soak`: bring each target up, run the load levels with
locust (bot/load/runner.py), write results/load/ (report.md, load.png, results.json, and locust's CSV
statistics of every level in locust/) or results/soak/."""

import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from bot.load import longchat, longrun, report
from bot.load.memory import Sampler
from bot.load.metrics import error_kinds, growth, summarise
from bot.load.runner import LoadSpec, measured, run_load
from bot.load.scenarios import SCENARIOS
from bot.load.targets import Running, start_target

LEVELS = (1, 10, 50, 100, 200)


def machine() -> str:
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


def run_levels(
    running: Running,
    levels: Sequence[int],
    duration_s: float,
    warmup_s: float,
    think_s: tuple,
    csv_dir: Optional[Path] = None,
) -> Dict[str, Any]:
    """Each level in a locust process of its own; its CSV statistics go to csv_dir if given."""
    out: Dict[str, Any] = {"levels": [], "memory_peak_mib": {}}
    for customers in levels:
        spec = LoadSpec(
            url=running.rest_url,
            token=running.rest_token,
            customers=customers,
            duration_s=duration_s,
            warmup_s=warmup_s,
            think_s=think_s,
        )
        prefix = csv_dir / f"{running.name}-{customers}" if csv_dir is not None else None
        with Sampler(running.pids()) as sampler:
            load = run_load(spec, prefix)
        samples = measured(load.samples, spec)
        # The load generator shares the machine: its own CPU is reported with the figures.
        generator_cpu = load.generator_cpu_s / load.wall_s if load.wall_s > 0 else 0.0
        figures: Dict[str, Any] = dict(summarise(samples, duration_s))
        figures.update(
            customers=customers,
            error_kinds=error_kinds(samples),
            generator_cpu=generator_cpu,
            cpu_cores=sampler.cpu_share(),
            machine_busy=sampler.machine_busy(),
        )
        out["levels"].append(figures)
        for service, peaks in sampler.peaks_mib().items():
            known = out["memory_peak_mib"].get(service, [])
            out["memory_peak_mib"][service] = (
                [max(a, b) for a, b in zip(peaks, known, strict=False)] if known else peaks
            )
        print(
            f"loadtest: {running.name:10s} {customers:4d} customers: {figures['messages_per_s']:6.1f} msg/s, "
            f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms, "
            f"{figures['errors']} errors; cores used: "
            + ", ".join(
                f"{name} {cores:.2f}" for name, cores in sorted(figures["cpu_cores"].items(), key=lambda x: -x[1])
            )
            + f", load generator {generator_cpu:.2f}; machine {figures['machine_busy'] * 100:.0f} % busy",
            flush=True,
        )
    out["ready_s"] = dict(running.supervisor.ready_s)
    return out


def loadtest(
    model: Path,
    out_dir: Path,
    targets: Sequence[str],
    levels: Sequence[int] = LEVELS,
    duration_s: float = 60.0,
    warmup_s: float = 10.0,
    think_s: tuple = (2.0, 6.0),
    conversation_length: int = 200,
) -> Dict[str, Any]:
    """Each target in turn; on the embedded one, first the long-conversation benchmark
    (bot/load/longrun.py: one message at a time, before the load fills its tracker store)."""
    spec = {
        "duration_s": duration_s,
        "warmup_s": warmup_s,
        "think_s": list(think_s),
        "turns": ", ".join(f"{s.name} {len(s.turns)} turns" for s in SCENARIOS),
    }
    results: Dict[str, Any] = {"spec": spec, "machine": machine(), "model": model.name, "targets": {}}
    long_text = ""
    with tempfile.TemporaryDirectory(prefix="telebot-load-") as work:
        for name in targets:
            print(f"loadtest: starting {name} ...", flush=True)
            running = start_target(name, model, Path(work))
            try:
                if name == "embedded" and conversation_length:
                    long = longrun.measure(running, conversation_length)
                    results["long_conversation"] = long.as_dict()
                    long_text = longchat.markdown(long, name)
                results["targets"][name] = run_levels(
                    running, levels, duration_s, warmup_s, think_s, csv_dir=out_dir / "locust"
                )
            finally:
                running.stop()
    results["comparison"] = report.comparison(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    text = report.markdown(results) + (f"\n{long_text}" if long_text else "")
    (out_dir / "report.md").write_text(text, encoding="utf-8")
    report.plot(results, out_dir / "load.png")
    print(text)
    print(f"loadtest: {out_dir / 'report.md'}, {out_dir / 'load.png'}")
    return results


def soak(
    model: Path,
    out_dir: Path,
    minutes: float = 10.0,
    customers: int = 50,
    think_s: tuple = (2.0, 6.0),
    target: str = "production",
) -> Dict[str, Any]:
    """Steady load for `minutes`; memory of every process every 10 s. Growth is measured from the
    end of the first minute (models loaded, caches warm) to the largest later sample."""
    with tempfile.TemporaryDirectory(prefix="telebot-soak-") as work:
        running = start_target(target, model, Path(work))
        try:
            spec = LoadSpec(
                url=running.rest_url,
                token=running.rest_token,
                customers=customers,
                duration_s=minutes * 60,
                warmup_s=0.0,
                think_s=think_s,
            )
            started = time.monotonic()
            with Sampler(running.pids(), interval_s=10.0) as sampler:
                samples = run_load(spec, out_dir / "locust" / f"soak-{target}").samples
            elapsed = time.monotonic() - started
        finally:
            running.stop()
    figures = summarise(samples, elapsed)
    memory: Dict[str, Dict[str, Any]] = {}
    for service, series in sampler.series.items():
        after_warmup = [kib for at, kib in series if at >= 60.0]
        memory[service] = {
            "mib_at_1_min": after_warmup[0] / 1024 if after_warmup else None,
            "mib_last": series[-1][1] / 1024 if series else None,
            "mib_max": max(kib for _, kib in series) / 1024 if series else None,
            "growth": growth(after_warmup),
        }
    result = {
        "minutes": minutes,
        "customers": customers,
        "figures": figures,
        "error_kinds": error_kinds(samples),
        "memory": memory,
        "series_mib": {s: [(round(at), kib / 1024) for at, kib in v] for s, v in sampler.series.items()},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "soak.json").write_text(json.dumps(result, indent=2))
    lines = [
        f"# Soak: {target}, {customers} customers, {minutes:g} minutes",
        "",
        f"{figures['messages']} messages, {figures['messages_per_s']:.1f}/s, p95 {figures['p95_ms']:.0f} ms, "
        f"{figures['errors']} errors",
        "",
        "| process | MiB at 1 min | MiB at the end | MiB max | growth after 1 min |",
        "|---|---:|---:|---:|---:|",
    ]
    for service, row in memory.items():
        lines.append(
            f"| {service} | {row['mib_at_1_min'] or 0:.0f} | {row['mib_last'] or 0:.0f} | "
            f"{row['mib_max'] or 0:.0f} | {row['growth'] * 100:.1f} % |"
        )
    text = "\n".join(lines) + "\n"
    (out_dir / "report.md").write_text(text)
    print(text)
    return result


def parse_levels(text: str) -> List[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or any(level < 1 for level in levels):
        raise ValueError("levels are positive whole numbers, comma separated, e.g. 1,10,50,200")
    return levels
