"""Memory and CPU time of running processes, read from /proc (Linux): resident set now and at its
peak, and CPU seconds used."""

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


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15 of stat)


def machine_cpu() -> Tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields) - idle) / TICKS, sum(fields) / TICKS


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
        self._started = self._last = 0.0
        self._cpu: Dict[Tuple[str, int], Tuple[float, float]] = {}  # (service, pid) -> (first, last) CPU seconds
        self._machine: List[Tuple[float, float]] = []  # (busy, total) at the first and the last sample

    def sample(self) -> None:
        reading = machine_cpu()
        self._machine = [self._machine[0] if self._machine else reading, reading]  # first and latest
        self._last = time.monotonic()
        now = self._last - self._started
        for name, rows in snapshot(self.services).items():
            for pid, rss, peak in rows:
                self.peak_kib[(name, pid)] = max(self.peak_kib.get((name, pid), 0), rss, peak)
                used = cpu_seconds(pid)
                first, _ = self._cpu.get((name, pid), (used, used))
                self._cpu[(name, pid)] = (first, used)
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

    def cpu_share(self) -> Dict[str, float]:
        """service -> cores it used on average while sampled (1.0 = one core busy all the time)."""
        elapsed = max(1e-9, self._last - self._started)
        shares: Dict[str, float] = {}
        for (name, _pid), (first, last) in self._cpu.items():
            shares[name] = shares.get(name, 0.0) + (last - first) / elapsed
        return shares

    def machine_busy(self) -> float:
        """Share of the machine's CPU (all cores, every process) busy while sampled, 0..1."""
        if len(self._machine) < 2:
            return 0.0
        (busy0, total0), (busy1, total1) = self._machine
        return (busy1 - busy0) / max(1e-9, total1 - total0)

    def peaks_mib(self) -> Dict[str, List[float]]:
        """service -> the peak RSS of each of its processes, MiB, largest first."""
        result: Dict[str, List[float]] = {}
        for (name, _pid), kib in self.peak_kib.items():
            result.setdefault(name, []).append(kib / 1024)
        return {name: sorted(values, reverse=True) for name, values in result.items()}
