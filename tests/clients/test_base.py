"""JsonClient maps every way a service can answer onto Rejected or Unavailable (bot/clients/base.py)."""

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clients.base import Endpoint, JsonClient, Rejected, Unavailable

TOKEN = "client-test-token-0123456789"


@pytest.fixture
async def server():
    seen = []

    async def echo(request: web.Request) -> web.Response:
        seen.append(
            {
                "auth": request.headers.get("Authorization"),
                "query": dict(request.query),
                "body": await request.json() if request.can_read_body else None,
            }
        )
        return web.json_response({"ok": True})

    async def refused(_request: web.Request) -> web.Response:
        return web.json_response({"error": "invalid_input", "message": "phone must be 11 digits"}, status=422)

    async def broken(_request: web.Request) -> web.Response:
        return web.Response(status=503, text="down")

    async def html(_request: web.Request) -> web.Response:
        return web.Response(text="<html>proxy error</html>", content_type="text/html")

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_post("/refused", refused)
    app.router.add_get("/broken", broken)
    app.router.add_get("/html", html)
    app.router.add_get("/slow", slow)
    async with TestServer(app) as test_server:
        test_server.seen = seen
        yield test_server


def client_of(server: TestServer, token: str = TOKEN, timeout_s: float = 5.0) -> JsonClient:
    return JsonClient(Endpoint("test service", str(server.make_url("")), token, timeout_s))


async def test_a_call_sends_the_token_body_and_query_and_returns_the_json(server):
    async with client_of(server) as client:
        assert await client.request("POST", "/echo", json={"a": 1}, params={"month": "2026-11"}) == {"ok": True}
    assert server.seen == [{"auth": f"Bearer {TOKEN}", "query": {"month": "2026-11"}, "body": {"a": 1}}]


async def test_without_a_token_no_authorization_header_is_sent(server):
    async with client_of(server, token="") as client:
        await client.request("GET", "/echo")
    assert server.seen[0]["auth"] is None


async def test_a_4xx_is_rejected_with_the_service_code_and_body(server):
    async with client_of(server) as client:
        with pytest.raises(Rejected) as raised:
            await client.request("POST", "/refused", json={})
    assert (raised.value.status, raised.value.code) == (422, "invalid_input")
    assert raised.value.body == {"error": "invalid_input", "message": "phone must be 11 digits"}
    assert str(raised.value) == "test service answered HTTP 422 invalid_input: phone must be 11 digits"


@pytest.mark.parametrize("path", ["/broken", "/html"])
async def test_a_5xx_or_an_answer_that_is_not_json_is_unavailable(server, path):
    async with client_of(server) as client:
        with pytest.raises(Unavailable, match="test service"):
            await client.request("GET", path)


async def test_a_service_slower_than_the_timeout_is_unavailable(server):
    async with client_of(server, timeout_s=0.2) as client:
        with pytest.raises(Unavailable, match="did not answer GET /slow"):
            await client.request("GET", "/slow")


async def test_a_per_call_timeout_overrides_the_endpoint_one(server):
    async with client_of(server, timeout_s=5) as client:
        with pytest.raises(Unavailable):
            await client.request("GET", "/slow", timeout_s=0.2)


async def test_an_unreachable_service_is_unavailable(unused_tcp_port):
    async with JsonClient(Endpoint("test service", f"http://127.0.0.1:{unused_tcp_port}")) as client:
        with pytest.raises(Unavailable, match="did not answer"):
            await client.request("GET", "/echo")


async def test_an_unconfigured_service_is_unavailable_without_a_call():
    client = JsonClient(Endpoint("handoff service", ""))
    assert not client.configured
    with pytest.raises(Unavailable, match="handoff service: not configured"):
        await client.request("GET", "/anything")


async def test_a_closed_client_opens_a_new_session_on_the_next_call(server):
    client = client_of(server)
    await client.request("GET", "/echo")
    await client.close()
    assert await client.request("GET", "/echo") == {"ok": True}
    await client.close()
