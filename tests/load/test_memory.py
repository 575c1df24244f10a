"""bot/load/memory.py: resident memory of a process and the processes below it."""

import os
import subprocess
import sys
import time

from bot.load.memory import Sampler, descendants, snapshot


def test_a_service_and_its_workers_are_all_measured():
    # A parent with a child, as Sanic's main process with a worker.
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; "
            "subprocess.Popen([sys.executable, '-c', 'import time; x = bytearray(60_000_000); time.sleep(30)']); "
            "time.sleep(30)",
        ]
    )
    try:
        deadline = time.monotonic() + 10
        while len(descendants(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the child fills its 60 MB
        rows = snapshot({"service": parent.pid})["service"]
        assert len(rows) == 2 and rows[0][0] == parent.pid
        assert max(rss for _, rss, _ in rows) > 55_000  # KiB: the child's 60 MB
        with Sampler({"service": parent.pid}, interval_s=0.1) as sampler:
            time.sleep(0.3)
        peaks = sampler.peaks_mib()["service"]
        assert len(peaks) == 2 and peaks[0] > 55 and len(sampler.series["service"]) >= 3
    finally:
        for pid in descendants(parent.pid)[1:]:
            os.kill(pid, 9)
        parent.kill()
        parent.wait()


def test_a_finished_process_has_no_memory():
    done = subprocess.run([sys.executable, "-c", "pass"])
    assert done.returncode == 0
    assert snapshot({"gone": 999_999_999}) == {"gone": []}


def test_cpu_share_of_a_busy_process_is_about_one_core():
    busy = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 5\nwhile time.time() < end: pass"])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        time.sleep(0.3)
        with Sampler({"busy": busy.pid, "idle": idle.pid}, interval_s=0.2) as sampler:
            time.sleep(1.5)
        shares = sampler.cpu_share()
    finally:
        busy.kill()
        idle.kill()
        busy.wait()
        idle.wait()
    assert 0.6 < shares["busy"] < 1.1  # one core (less whatever else the machine runs meanwhile)
    assert shares["idle"] < 0.05
