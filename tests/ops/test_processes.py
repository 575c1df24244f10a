"""bot/ops/processes.py: start, health, warm-up before traffic, crash (SIGKILL) and stop."""

import json
import sys
import textwrap

import pytest

from bot.load.ports import free_port
from bot.ops.processes import ServiceFailed, ServiceSpec, Supervisor, Warmup

SERVER = textwrap.dedent("""
    import http.server, sys, pathlib
    log = pathlib.Path(sys.argv[2])
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with log.open("a") as f: f.write(self.path + " " + body.decode() + "\\n")
            self.send_response(200 if self.path != "/fail" else 500); self.end_headers()
        def log_message(self, *args): pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
""")


def spec(tmp_path, warmups=()):
    port = free_port()
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    return port, ServiceSpec(
        name="toy",
        argv=[sys.executable, str(script), str(port), str(tmp_path / "posts.log")],
        env={},
        health_url=f"http://127.0.0.1:{port}/health",
        startup_timeout_s=20,
        warmups=[Warmup(f"http://127.0.0.1:{port}{path}", body) for path, body in warmups],
    )


def test_warmed_up_before_it_counts_as_ready(tmp_path):
    port, toy = spec(tmp_path, warmups=[("/model/parse", {"text": "你好"}), ("/webhook", {"message": "hi"})])
    supervisor = Supervisor(tmp_path / "logs", tmp_path)
    supervisor.start(toy)
    try:
        supervisor.wait_healthy()
        assert (tmp_path / "posts.log").read_text().splitlines() == [
            "/model/parse " + json.dumps({"text": "你好"}),
            "/webhook " + json.dumps({"message": "hi"}),
        ]
        assert 0 < supervisor.ready_s["toy"] < 20
    finally:
        supervisor.stop()


def test_a_failed_warmup_is_a_failed_start(tmp_path):
    _, toy = spec(tmp_path, warmups=[("/fail", {})])
    supervisor = Supervisor(tmp_path / "logs", tmp_path)
    supervisor.start(toy)
    try:
        with pytest.raises(ServiceFailed, match="toy failed its warm-up request .*/fail"):
            supervisor.wait_healthy()
    finally:
        supervisor.stop()


def test_killed_is_gone_at_once(tmp_path):
    _, toy = spec(tmp_path)
    supervisor = Supervisor(tmp_path / "logs", tmp_path)
    supervisor.start(toy)
    supervisor.wait_healthy()
    process = supervisor.processes["toy"]
    supervisor.kill("toy")
    assert process.returncode == -9 and "toy" not in supervisor.processes
