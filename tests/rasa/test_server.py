"""bot/rasa/server.py: Rasa's API token comes from the environment, never from the command line."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.load.targets import free_port
from bot.rasa.auth import QUERY_REFUSED
from bot.rasa.server import LaunchError, rasa_arguments
from tests.support import ROOT

TOKEN = "-admin-token-0123456789abcdef"  # may start with "-"


def test_the_token_is_added_from_the_environment_and_removed_from_it():
    env = {"RASA_AUTH_TOKEN": TOKEN, "PATH": "/bin"}
    assert rasa_arguments(["run", "--enable-api", "--port", "5005"], env) == [
        "run",
        "--enable-api",
        "--port",
        "5005",
        f"--auth-token={TOKEN}",
    ]
    assert env == {"PATH": "/bin"}  # nothing this process starts inherits it


@pytest.mark.parametrize(
    "argv, env, message",
    [
        (
            ["run", "--enable-api", f"--auth-token={TOKEN}"],
            {},
            "give the API token in RASA_AUTH_TOKEN, not --auth-token",
        ),
        (["run", "--auth-token", TOKEN], {"RASA_AUTH_TOKEN": TOKEN}, "not --auth-token"),
        (["run", "--enable-api"], {}, "--enable-api needs RASA_AUTH_TOKEN"),
        (["run", "--enable-api"], {"RASA_AUTH_TOKEN": "short"}, "at least 16 characters"),
    ],
)
def test_a_token_on_the_command_line_or_an_open_api_is_refused(argv, env, message):
    with pytest.raises(LaunchError, match=message):
        rasa_arguments(argv, env)


def test_without_the_api_no_token_is_needed():
    assert rasa_arguments(["run", "--port", "5005"], {}) == ["run", "--port", "5005"]


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_running_server_shows_no_token_in_ps_and_takes_it_from_the_header_only(tmp_path):
    """The real launcher and Rasa (no model: its API answers 409 once authenticated)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "RASA_AUTH_TOKEN": TOKEN}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.rasa.server",
            "run",
            "--enable-api",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--model",
            str(tmp_path / "none.tar.gz"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, "the Rasa server exited"
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "the Rasa server did not start"
                time.sleep(0.5)
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        assert b"--enable-api" in cmdline and not any(TOKEN.encode() in arg for arg in cmdline)
        assert not any(arg.startswith(b"--auth-token") for arg in cmdline)
        url = f"http://127.0.0.1:{port}/status"
        assert _get(url, {"Authorization": f"Bearer {TOKEN}"})[0] == 409  # authenticated; no model loaded
        assert _get(url)[0] == 401
        assert _get(url, {"Authorization": f"Bearer {TOKEN}x"})[0] == 401
        status, body = _get(f"{url}?token={TOKEN}")
        assert (status, body["message"]) == (401, QUERY_REFUSED) and TOKEN not in json.dumps(body)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
