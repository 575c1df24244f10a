"""Memory of running processes, read from /proc (Linux): resident set now and at its peak."""

import os
import threading
import time
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple


def _status(pid: int) -> Dict[str, int]:
    """VmRSS and VmHWM (peak resident) in KiB; {} if the process is gone."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return {}
    return values


def descendants(pid: int) -> List[int]:
    """`pid` and every process below it (Sanic's workers, for instance)."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def snapshot(services: Mapping[str, int]) -> Dict[str, List[Tuple[int, int, int]]]:
    """service -> [(pid, rss KiB, peak KiB)] for the service's process and its descendants."""
    result = {}
    for name, pid in services.items():
        rows = []
        for each in descendants(pid):
            status = _status(each)
            if status:
                rows.append((each, status.get("VmRSS", 0), status.get("VmHWM", 0)))
        result[name] = rows
    return result


class Sampler:
    """Samples every `interval_s` in a thread: per process the largest RSS seen, and per service
    the series of its total RSS (for growth over a soak)."""

    def __init__(self, services: Mapping[str, int], interval_s: float = 2.0) -> None:
        self.services = dict(services)
        self.interval_s = interval_s
        self.peak_kib: Dict[Tuple[str, int], int] = {}
        self.series: Dict[str, List[Tuple[float, int]]] = {name: [] for name in services}
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._started = 0.0

    def sample(self) -> None:
        now = time.monotonic() - self._started
        for name, rows in snapshot(self.services).items():
            for pid, rss, peak in rows:
                self.peak_kib[(name, pid)] = max(self.peak_kib.get((name, pid), 0), rss, peak)
            self.series[name].append((now, sum(rss for _, rss, _ in rows)))

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def __enter__(self) -> "Sampler":
        self._started = time.monotonic()
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()

    def peaks_mib(self) -> Dict[str, List[float]]:
        """service -> the peak RSS of each of its processes, MiB, largest first."""
        result: Dict[str, List[float]] = {}
        for (name, _pid), kib in self.peak_kib.items():
            result.setdefault(name, []).append(kib / 1024)
        return {name: sorted(values, reverse=True) for name, values in result.items()}
