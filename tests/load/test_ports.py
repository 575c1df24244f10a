"""bot/load/ports.py: ports outside the kernel's ephemeral range, bindable, never handed out twice."""

import socket

import pytest

from bot.load import ports


def test_the_range_read_from_the_kernel_file(tmp_path):
    path = tmp_path / "ip_local_port_range"
    path.write_text("32768\t60999\n")
    assert ports.ephemeral_range(path) == (32768, 60999)
    assert ports.ephemeral_range(tmp_path / "missing") == (32768, 60999)
    path.write_text("nonsense")
    assert ports.ephemeral_range(path) == (32768, 60999)


@pytest.mark.parametrize("ephemeral, expected", [((32768, 60999), (20000, 32768)), ((1024, 50000), (50001, 65536))])
def test_candidates_stay_clear_of_the_ephemeral_range(monkeypatch, ephemeral, expected):
    monkeypatch.setattr(ports, "ephemeral_range", lambda: ephemeral)
    assert ports.candidate_range() == expected


def test_ports_are_distinct_bindable_and_outside_the_ephemeral_range():
    low, high = ports.ephemeral_range()
    chosen = [ports.free_port() for _ in range(50)]
    base = ports.free_port_run(16)
    run = list(range(base, base + 16))
    assert len(set(chosen + run)) == 66
    assert not [port for port in chosen + run if low <= port <= high]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", chosen[0]))  # still free: a server can take it


def test_a_port_in_use_is_never_handed_out(monkeypatch):
    monkeypatch.setattr(ports, "_given", set())
    monkeypatch.setattr(ports, "candidate_range", lambda: (25000, 25002))
    monkeypatch.setattr(ports, "_bindable", lambda port: port != 25000)  # 25000 is taken
    assert ports.free_port() == 25001  # the only other candidate
    with pytest.raises(RuntimeError, match="no 1 consecutive free ports in 25000-25001"):
        ports.free_port()  # 25001 was handed out already


def test_a_port_that_cannot_be_bound_is_not_bindable():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert ports._bindable(busy.getsockname()[1]) is False
