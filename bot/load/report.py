"""The load benchmark's Markdown table and PNG plot (pure apart from writing the files)."""

import math
from pathlib import Path
from typing import Any, Dict, List


def _fmt(value: float, digits: int = 1) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def markdown(results: Dict[str, Any]) -> str:
    spec = results["spec"]
    lines = [
        "# Load benchmark",
        "",
        f"Simulated customers hold conversations (balance, payment, FAQ, fault ticket; {spec['turns']}) through "
        f"the REST channel, {spec['think_s'][0]:g}–{spec['think_s'][1]:g} s between a customer's messages; every "
        f"answer is checked, a wrong one is an error. Each level runs {spec['warmup_s']:g} s unmeasured, then "
        f"{spec['duration_s']:g} s measured. Machine: {results['machine']}.",
        "",
        "| target | customers | messages/s | p50 ms | p95 ms | p99 ms | errors | machine CPU busy |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for target, levels in results["targets"].items():
        for level in levels["levels"]:
            busy = level.get("machine_busy")
            lines.append(
                f"| {target} | {level['customers']} | {_fmt(level['messages_per_s'])} | "
                f"{_fmt(level['p50_ms'], 0)} | {_fmt(level['p95_ms'], 0)} | {_fmt(level['p99_ms'], 0)} | "
                f"{level['errors']} | {'–' if busy is None else f'{busy * 100:.0f} %'} |"
            )
    lines += [
        "",
        "Errors by kind: "
        + (
            "none"
            if not any(level["error_kinds"] for t in results["targets"].values() for level in t["levels"])
            else ""
        ),
    ]
    for target, levels in results["targets"].items():
        for level in levels["levels"]:
            if level["error_kinds"]:
                lines.append(f"- {target} at {level['customers']}: {level['error_kinds']}")
    lines += ["", "## Where the CPU went at the highest level (cores, averaged; 1.00 = one core all the time)", ""]
    for target, levels in results["targets"].items():
        top = levels["levels"][-1] if levels["levels"] else {}
        cores = top.get("cpu_cores") or {}
        shown = ", ".join(
            f"{name} {value:.2f}" for name, value in sorted(cores.items(), key=lambda item: -item[1]) if value >= 0.005
        )
        if shown:
            lines.append(
                f"- {target} at {top['customers']} customers: {shown}, load generator "
                f"{top.get('generator_cpu', 0):.2f} (PostgreSQL and Redis are the rest of the machine)"
            )
    lines += [
        "",
        "## Memory (peak resident set per process, MiB)",
        "",
        "| target | process | peak MiB |",
        "|---|---|---:|",
    ]
    for target, levels in results["targets"].items():
        for service, peaks in levels["memory_peak_mib"].items():
            shown = " + ".join(f"{value:.0f}" for value in peaks)
            lines.append(f"| {target} | {service} ({len(peaks)} process{'es' if len(peaks) > 1 else ''}) | {shown} |")
    lines += ["", "## Time to ready (process start → model loaded → warmed up)", ""]
    for target, levels in results["targets"].items():
        ready = ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in levels["ready_s"].items() if name.startswith("rasa")
        )
        lines.append(f"- {target}: {ready}")
    comparison = results.get("comparison")
    if comparison:
        lines += ["", "## Production profile vs the stock process", "", comparison]
    return "\n".join(lines) + "\n"


def plot(results: Dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for target, levels in results["targets"].items():
        customers = [level["customers"] for level in levels["levels"]]
        left.plot(customers, [level["messages_per_s"] for level in levels["levels"]], marker="o", label=target)
        right.plot(customers, [level["p95_ms"] for level in levels["levels"]], marker="o", label=target)
    for axis, title in ((left, "messages/s"), (right, "p95 latency (ms)")):
        axis.set_xscale("log")
        axis.set_xlabel("concurrent customers")
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
        axis.legend()
    right.set_yscale("log")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


# A customer waiting longer than this for most answers is not being served, errors or not.
RESPONSIVE_P95_MS = 1000.0


def sustained(levels: List[Dict[str, Any]], p95_limit_ms: float = math.inf) -> float:
    """The highest messages/s of a level without a single error (what the target can keep up),
    and, if given, with its p95 within `p95_limit_ms`."""
    return max(
        (level["messages_per_s"] for level in levels if level["errors"] == 0 and level["p95_ms"] <= p95_limit_ms),
        default=0.0,
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def comparison(results: Dict[str, Any]) -> str:
    targets = results["targets"]
    if "production" not in targets or "stock" not in targets:
        return ""
    best = {name: sustained(t["levels"]) for name, t in targets.items()}
    responsive = {name: sustained(t["levels"], RESPONSIVE_P95_MS) for name, t in targets.items()}
    peak = {name: max((level["messages_per_s"] for level in t["levels"]), default=0.0) for name, t in targets.items()}
    at_50: List[str] = [
        f"p95 {level['p95_ms']:.0f} ms with {level['errors']} errors at 50 customers"
        for level in targets["production"]["levels"]
        if level["customers"] == 50
    ]
    return (
        f"Sustained messages/s (highest level with no error): production {best['production']:.1f}, stock "
        f"{best['stock']:.1f} (×{_ratio(best['production'], best['stock']):.2f}). With no error and p95 within "
        f"{RESPONSIVE_P95_MS / 1000:g} s: production {responsive['production']:.1f}, stock {responsive['stock']:.1f} "
        f"(×{_ratio(responsive['production'], responsive['stock']):.2f}). Highest messages/s at any level, errors "
        f"allowed: production {peak['production']:.1f}, stock {peak['stock']:.1f} "
        f"(×{_ratio(peak['production'], peak['stock']):.2f}). "
        f"Production: {'; '.join(at_50) or 'no 50-customer level run'}."
    )
