"""Ports for the servers a test or load run starts, chosen so that nothing else takes them first.

A port found free by binding port 0 comes from the kernel's ephemeral range, the range every outgoing
connection of the machine also draws its local port from: between the choice and the server's own
bind, a client connection (the test's, nginx's, another stack's) may take it, and a Sanic server that
cannot bind logs the error and exits with code 0. So ports come from below the ephemeral range, each
one at most once per process, and only if it can be bound now.
"""

import random
import socket
from pathlib import Path
from typing import Set, Tuple

LOWEST = 20000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")

_given: Set[int] = set()


def ephemeral_range(path: Path = EPHEMERAL_RANGE) -> Tuple[int, int]:
    """The kernel's range for outgoing connections (Linux's default when it cannot be read)."""
    try:
        low, high = (int(part) for part in path.read_text().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


def candidate_range() -> Tuple[int, int]:
    """[first, last) of the ports we hand out: below the ephemeral range, or above it if it starts low."""
    low, high = ephemeral_range()
    if low - LOWEST >= 2000:
        return LOWEST, low
    return high + 1, 65536


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind: TIME_WAIT is fine
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_run(count: int) -> int:
    """The first of `count` consecutive ports, all bindable now and never handed out before."""
    first, last = candidate_range()
    for _ in range(200):
        base = random.randrange(first, last - count + 1)
        ports = range(base, base + count)
        if not _given.intersection(ports) and all(_bindable(port) for port in ports):
            _given.update(ports)
            return base
    raise RuntimeError(f"no {count} consecutive free ports in {first}-{last - 1}")


def free_port() -> int:
    """One port, bindable now and never handed out before by this process."""
    return free_port_run(1)
