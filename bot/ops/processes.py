"""Start, health-check and stop the product's processes (used by `python -m bot run` and the e2e tests)."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    health_url: str
    health_headers: Mapping[str, str] = field(default_factory=dict)
    startup_timeout_s: float = 180.0
    # Requests made once it is healthy, before it takes traffic: (url, JSON body, headers).
    warmups: Sequence["Warmup"] = ()


@dataclass(frozen=True)
class Warmup:
    url: str
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    def send(self) -> None:
        request = urllib.request.Request(
            self.url, data=json.dumps(self.body).encode(), headers={"Content-Type": "application/json", **self.headers}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()


class ServiceFailed(RuntimeError):
    """A process exited or did not become healthy in time; the message points at its log."""


def is_healthy(url: str, headers: Mapping[str, str]) -> bool:
    request = urllib.request.Request(url, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


class Supervisor:
    """Owns child processes; `stop()` ends them all (SIGTERM, then SIGKILL after a grace period)."""

    def __init__(self, log_dir: Path, cwd: Path) -> None:
        self.log_dir = log_dir
        self.cwd = cwd
        self.processes: Dict[str, subprocess.Popen] = {}
        self.specs: Dict[str, ServiceSpec] = {}
        self.started: Dict[str, float] = {}
        self.ready_s: Dict[str, float] = {}  # seconds from start to healthy and warmed up

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self, spec: ServiceSpec) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path(spec.name), "ab")
        self.processes[spec.name] = subprocess.Popen(
            list(spec.argv),
            cwd=self.cwd,
            env=dict(spec.env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C reaches us only; we stop the children in order
        )
        log.close()
        self.specs[spec.name] = spec
        self.started[spec.name] = time.monotonic()

    def wait_healthy(self, names: Optional[List[str]] = None) -> None:
        pending = list(names or self.specs)
        deadline = {name: time.monotonic() + self.specs[name].startup_timeout_s for name in pending}
        while pending:
            for name in list(pending):
                spec, process = self.specs[name], self.processes[name]
                if process.poll() is not None:
                    raise ServiceFailed(f"{name} exited with code {process.returncode}; see {self.log_path(name)}")
                if is_healthy(spec.health_url, spec.health_headers):
                    for warmup in spec.warmups:
                        try:
                            warmup.send()
                        except (urllib.error.URLError, OSError) as error:
                            raise ServiceFailed(
                                f"{name} failed its warm-up request {warmup.url}: {error}; see {self.log_path(name)}"
                            ) from None
                    self.ready_s[name] = time.monotonic() - self.started[name]
                    pending.remove(name)
                elif time.monotonic() > deadline[name]:
                    raise ServiceFailed(
                        f"{name} was not ready in {spec.startup_timeout_s:.0f} s; see {self.log_path(name)}"
                    )
            if pending:
                time.sleep(0.3)

    def exited(self) -> Optional[str]:
        """The name of a child that has exited, if any."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash would (tests): no clean-up runs in the process."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()
        self.specs.pop(name, None)

    def stop(self, name: Optional[str] = None, grace_s: float = 10.0) -> None:
        names = [name] if name else list(reversed(self.processes))
        for each in names:
            process = self.processes.get(each)
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for each in names:
            process = self.processes.pop(each, None)
            if process is None:
                continue
            try:
                process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            _kill_group(process.pid)  # workers it forked (Sanic's) go with it
            self.specs.pop(each, None)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
