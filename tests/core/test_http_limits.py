"""Limits our aiohttp services apply before a body is buffered or parsed (bot/core/http_limits.py), and
their runner, which never inflates a compressed body (bot/core/serve.py)."""

import asyncio
import gzip
import json
import re

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.http_limits import MAX_JSON_DEPTH, json_depth, request_limits
from bot.core.serve import runner
from tests.support import serve


@pytest.mark.parametrize(
    "body, depth",
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"text": "[[[[{{{{"}', 1),  # brackets inside strings do not count
        (b'{"text": "\\"[[[["}', 1),  # nor after an escaped quote
        (b"[" * 5000 + b"]" * 5000, MAX_JSON_DEPTH + 1),  # counting stops past the limit
        (b"not json", 0),
    ],
)
def test_json_depth(body, depth):
    assert json_depth(body) == depth


def _depth(value):
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


# Strings full of what could fool a count: quotes, backslashes, brackets, escapes, Chinese.
_TEXT = st.text(st.sampled_from('ab"\\[]{}/\n\u0001话费'), max_size=8)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.booleans(), st.integers(1, 6))
def test_json_depth_is_the_nesting_of_any_json_text(value, ascii_only, stop_above):
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    assert json_depth(body) == _depth(value)
    assert json_depth(body, stop_above) == min(_depth(value), stop_above + 1)


def echo_app() -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"length": len(await request.read()), "json": await request.json()})

    app = web.Application(middlewares=[request_limits], client_max_size=1024)
    app.router.add_post("/echo", echo)
    return app


@pytest.fixture
async def client():
    server = TestServer(echo_app())
    await server.start_server(auto_decompress=False)  # as bot/core/serve.py serves our apps
    async with TestClient(server) as test_client:
        yield test_client


async def test_an_ordinary_json_body_passes(client):
    response = await client.post("/echo", json={"a": [1, 2]}, headers={"Content-Encoding": "identity"})
    assert (response.status, await response.json()) == (200, {"length": 13, "json": {"a": [1, 2]}})


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "GZIP", "identity, gzip"])
async def test_a_compressed_body_is_refused(client, encoding):
    response = await client.post("/echo", data=gzip.compress(b'{"a": 1}'), headers={"Content-Encoding": encoding})
    assert response.status == 415
    assert await response.json() == {
        "error": "unsupported_content_encoding",
        "message": "request bodies must not be compressed (Content-Encoding)",
    }


async def test_a_body_over_the_limit_is_refused_by_its_length_or_as_it_comes(client):
    too_large = {"error": "body_too_large", "message": "the request body must be at most 1024 bytes"}
    response = await client.post("/echo", data=b"x" * 2000)
    assert (response.status, await response.json()) == (413, too_large)

    async def chunks():  # no Content-Length: chunked
        for _ in range(4):
            yield b"x" * 400

    response = await client.post("/echo", data=chunks())
    assert (response.status, await response.json()) == (413, too_large)


async def test_a_deeply_nested_json_body_is_400_not_500(client):
    response = await client.post("/echo", data=b"[" * 500 + b"]" * 500, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {
        "error": "invalid_input",
        "message": f"the JSON body nests more than {MAX_JSON_DEPTH} levels deep",
    }


async def test_the_runner_of_our_services_never_inflates_a_request_body():
    async def length(request: web.Request) -> web.Response:
        return web.json_response({"length": len(await request.read())})

    app = web.Application()  # no middleware: what reaches the app is what the parser made of it
    app.router.add_post("/length", length)
    bomb = gzip.compress(b"\0" * 1_000_000)
    async with serve(app, runner) as url, aiohttp.ClientSession() as session:
        async with session.post(f"{url}/length", data=bomb, headers={"Content-Encoding": "gzip"}) as response:
            assert await response.json() == {"length": len(bomb)}


async def test_the_access_log_of_our_services_survives_the_log_masking(caplog):
    """Status and size apart: "200 155" would be starred as a password typed in groups."""
    from bot.core import log_privacy

    log_privacy.install()

    async def sized(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 155)

    app = web.Application()
    app.router.add_get("/sized", sized)
    async with serve(app, runner) as url:
        with caplog.at_level("INFO", logger="aiohttp.access"):
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{url}/sized") as response:
                    assert response.status == 200
                    await response.read()
    lines = [record.getMessage() for record in caplog.records if record.name == "aiohttp.access"]
    # a 3-digit size (body and headers): beside "200" it would make six digits in groups
    assert len(lines) == 1 and re.search(r'"GET /sized HTTP/1\.1" 200, [0-9]{3} bytes', lines[0]), lines


async def test_a_refused_request_closes_its_connection_and_the_next_one_is_served_at_once(client):
    # Refused before its body was read: keeping the connection alive behind an unread 1 MB body
    # stalled the next requests of the fuzz suite for seconds (up to its 30 s timeout).
    for _ in range(20):
        refused = await client.post("/echo", data=b'{"k": "' + b"x" * 1_000_000 + b'"}')
        assert (refused.status, refused.headers.get("Connection", "").lower()) == (413, "close")
        compressed = await client.post("/echo", data=gzip.compress(b'{"a": 1}'), headers={"Content-Encoding": "gzip"})
        assert (compressed.status, compressed.headers.get("Connection", "").lower()) == (415, "close")
        served = await asyncio.wait_for(client.post("/echo", json={"a": 1}), 2)
        assert served.status == 200
