"""The start-up benchmark (`python -m bot benchmark --startup`): what a Rasa replica's time to ready
and memory go to, phase by phase, with our model loading (bot/rasa/patches.py) and with Rasa's.

Each load runs in a fresh Rasa process (`python -m bot.rasa.startup_probe MODEL [--stock]`), which times
its phases and reads its peak resident memory after each (/proc VmHWM): importing TensorFlow,
importing Rasa (and our patches), loading the model, the first parse and the first prediction.
Then the embedded product is started once and its Rasa server's time to ready (started to healthy
and warmed up, as the supervisor waits for it) and peak memory are read.
"""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float
    peak_mib: float  # the process's peak resident memory once the phase is done


def measure(root: Path, model: Path, stock: bool) -> List[Phase]:
    """The phases of a fresh Rasa process loading `model` (bot/rasa/startup_probe.py)."""
    argv = [sys.executable, "-m", "bot.rasa.startup_probe", str(model), *(["--stock"] if stock else [])]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, check=True)
    return [Phase(**row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def server_ready(model: Path) -> Dict[str, float]:
    """The embedded product's Rasa server: seconds to ready and peak MiB (once ready)."""
    from bot.load.memory import snapshot
    from bot.load.targets import start_target

    with tempfile.TemporaryDirectory(prefix="telebot-startup-") as work:
        running = start_target("embedded", model, Path(work))
        try:
            name = next(name for name in running.supervisor.ready_s if name.startswith("rasa"))
            peak_kib = sum(peak for _, _, peak in snapshot({name: running.pids()[name]})[name])
            return {"ready_s": round(running.supervisor.ready_s[name], 1), "peak_mib": round(peak_kib / 1024, 1)}
        finally:
            running.stop()


def markdown(ours: List[Phase], stock: List[Phase], server: Dict[str, float]) -> str:
    lines = [
        "## Start-up of a Rasa replica",
        "",
        "Each phase in a fresh process: its seconds, and the process's peak memory once it is done.",
        "",
        "| phase | ours s | ours peak MiB | Rasa's load s | Rasa's load peak MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for mine, theirs in zip(ours, stock, strict=True):
        lines.append(f"| {mine.name} | {mine.seconds} | {mine.peak_mib} | {theirs.seconds} | {theirs.peak_mib} |")
    lines.append(
        f"| total | {sum(p.seconds for p in ours):.1f} | {ours[-1].peak_mib} | "
        f"{sum(p.seconds for p in stock):.1f} | {stock[-1].peak_mib} |"
    )
    lines += [
        "",
        f"The embedded product's Rasa server: ready (healthy and warmed up) in **{server['ready_s']} s**, "
        f"peak memory **{server['peak_mib']} MiB**.",
        "",
    ]
    return "\n".join(lines)


def benchmark(root: Path, model: Path, out_dir: Path) -> str:
    ours, stock = measure(root, model, stock=False), measure(root, model, stock=True)
    server = server_ready(model)
    report = markdown(ours, stock, server)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "startup.md").write_text(report, encoding="utf-8")
    figures = {"ours": [asdict(p) for p in ours], "stock": [asdict(p) for p in stock], "server": server}
    (out_dir / "startup.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(report)
    return report
