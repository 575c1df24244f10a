"""The action server process: closed without the shared secret, no request echoed in errors."""

import os
import subprocess
import sys
import time

import aiohttp
import pytest

from bot.load.ports import free_port
from bot.ops.settings import ROOT

TOKEN = "t" * 32
CANARY_PHONE, CANARY_PASSWORD = "13912345678", "864213"


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("action-server") / "action-server.log"
    env = {
        **os.environ,
        "ACTION_SERVER_TOKEN": TOKEN,
        "ACTION_PORT": str(port),
        "OPERATOR_API_TOKEN": "x" * 32,
        "OPERATOR_URL": "http://127.0.0.1:9",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SANIC_HOST", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.services.action_server"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                import urllib.request

                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(10)


async def post(url, body, token=TOKEN, content_type="application/json"):
    headers = {"Content-Type": content_type, **({"X-Action-Token": token} if token is not None else {})}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=headers) as response:
            return response.status, await response.text()


def call(action, tracker):
    import json

    return json.dumps({"next_action": action, "sender_id": "c1", "tracker": tracker, "domain": {}, "version": "3.6.21"})


async def test_health_is_open_and_nothing_else(action_server):
    url, _ = action_server
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/health") as response:
            assert response.status == 200
        async with session.get(f"{url}/actions") as response:
            assert response.status == 401
        async with session.get(f"{url}/actions", headers={"X-Action-Token": TOKEN}) as response:
            assert response.status == 200
            assert "action_check_balance" in [item["name"] for item in await response.json()]


@pytest.mark.parametrize("token", [None, "", "t" * 31, "T" * 32])
async def test_webhook_refuses_a_wrong_or_missing_token(action_server, token):
    url, _ = action_server
    status, _ = await post(f"{url}/webhook", call("action_check_balance", {"sender_id": "c1"}), token=token)
    assert status == 401


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b"\xff\xfe\x00",
        b'{"next_action": 1}',
        b'{"next_action": "x", "tracker": "y"}',
        "密码".encode("gbk"),
    ],
)
async def test_malformed_bodies_get_a_400(action_server, body):
    url, _ = action_server
    status, text = await post(f"{url}/webhook", body)
    assert status == 400, text


async def test_an_error_in_an_action_echoes_nothing_of_the_request(action_server):
    url, log = action_server
    # the slots are not an object: the action fails with a TypeError
    tracker = {
        "sender_id": "c1",
        "slots": 5,
        "latest_message": {"text": f"{CANARY_PHONE} {CANARY_PASSWORD}"},
        "events": [{"event": "user", "text": f"{CANARY_PHONE} 密码{CANARY_PASSWORD}"}],
    }
    status, text = await post(f"{url}/webhook", call("action_check_balance", tracker))
    assert status == 500
    assert text == '{"error":"internal_error"}'
    time.sleep(0.2)
    logged = log.read_text()
    assert CANARY_PHONE not in logged and CANARY_PASSWORD not in logged


async def test_it_binds_to_loopback_only(action_server):
    url, _ = action_server
    assert url.startswith("http://127.0.0.1:")
    out = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
    port = url.rsplit(":", 1)[1]
    listening = [line for line in out.splitlines() if f":{port} " in line]
    assert listening and all("127.0.0.1:" in line for line in listening)


async def test_deeply_nested_json_gets_a_400_not_a_500(action_server):
    url, _ = action_server
    tracker = b'{"sender_id": "c1", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    status, text = await post(f"{url}/webhook", b'{"next_action": "action_check_balance", "tracker": ' + tracker + b"}")
    assert (status, text) == (400, '{"error":"invalid_input","message":"the JSON body nests more than 64 levels deep"}')


async def test_a_compressed_body_gets_a_415(action_server):
    import gzip

    url, _ = action_server
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "X-Action-Token": TOKEN}
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        async with session.post(f"{url}/webhook", data=gzip.compress(b"{}" * 1000), headers=headers) as response:
            assert response.status == 415
            assert (await response.json())["error"] == "unsupported_content_encoding"


async def test_a_body_above_the_limit_is_refused_from_its_content_length(action_server):
    import asyncio

    from bot.services.action_server import MAX_BODY_BYTES

    url, _ = action_server
    host, port = url[len("http://") :].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST /webhook HTTP/1.1\r\nHost: x\r\nX-Action-Token: {TOKEN}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(1000), 5)  # at once: nothing of the body was sent
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413")
    assert answer.endswith(b'{"error":"body_too_large","message":"the request body may have at most 16777216 bytes"}')
