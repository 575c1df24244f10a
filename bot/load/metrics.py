"""Figures of a load run (pure): throughput, latency percentiles, errors."""

import math
from dataclasses import dataclass
from typing import Dict, Sequence


@dataclass(frozen=True)
class Sample:
    started: float  # seconds since the run began
    latency_ms: float
    ok: bool
    error: str = ""  # why it failed: "http 502", "timeout", "unexpected reply to '...'"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (the value below which `fraction` of the samples fall)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarise(samples: Sequence[Sample], window_s: float) -> Dict[str, float]:
    """Over the samples that started inside the measurement window."""
    ok = [s.latency_ms for s in samples if s.ok]
    return {
        "messages": len(samples),
        "messages_per_s": len(ok) / window_s if window_s > 0 else math.nan,
        "p50_ms": percentile(ok, 0.50),
        "p95_ms": percentile(ok, 0.95),
        "p99_ms": percentile(ok, 0.99),
        "errors": sum(1 for s in samples if not s.ok),
    }


def error_kinds(samples: Sequence[Sample]) -> Dict[str, int]:
    kinds: Dict[str, int] = {}
    for sample in samples:
        if not sample.ok:
            kinds[sample.error] = kinds.get(sample.error, 0) + 1
    return dict(sorted(kinds.items(), key=lambda item: -item[1]))


def growth(series: Sequence[float]) -> float:
    """Relative growth from the first to the largest later value (memory over a soak)."""
    if len(series) < 2 or series[0] <= 0:
        return 0.0
    return max(series[1:]) / series[0] - 1
