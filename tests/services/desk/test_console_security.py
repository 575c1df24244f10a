"""The console's defences: Origin checks, security headers, the login throttle, the Secure cookie;
and what a customer says reaches the handoff database and the agent's screen masked."""

import dataclasses
import gzip
import re
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.services.desk.app import create_app
from bot.services.desk.login_throttle import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from bot.services.desk.routes import SERVICE_KEY
from tests.services.desk.conftest import SERVICE, browser, sign_in
from tests.services.desk.test_console import online, open_case


def login(username: str, password: str):
    return {"username": username, "password": password}


def csp(ws: str) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {ws}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


# -- Origin ---------------------------------------------------------------------------------------

ORIGIN_REQUIRED = {
    "error": "origin_required",
    "message": "a console request must come from the console's page (Origin)",
}
ORIGIN_REFUSED = {"error": "origin_not_allowed", "message": "requests from this origin are not accepted by the console"}


@pytest.mark.parametrize(
    "origin, expected",
    [
        (None, ORIGIN_REQUIRED),  # a browser always sends one with a POST
        ("http://127.0.0.1:8080", ORIGIN_REFUSED),  # the customer site: same site, another origin
        ("https://evil.example", ORIGIN_REFUSED),
        ("null", ORIGIN_REFUSED),  # sandboxed frames, data: URLs
    ],
)
async def test_a_state_changing_request_from_another_origin_is_refused(client, origin, expected):
    agent = await sign_in(client, "1001")
    headers = {"Origin": origin} if origin else {}
    for path, body in [
        ("/api/login", login("1001", "password-1001")),
        ("/api/logout", None),
        ("/api/cases/1/take", None),
        ("/api/cases/1/reply", {"text": "你好"}),
    ]:
        async with aiohttp.ClientSession(base_url=str(client.make_url("/")), cookie_jar=agent.cookie_jar) as other:
            response = await other.post(path, json=body, headers=headers)
            assert (response.status, await response.json()) == (403, expected), path
    assert (await agent.get("/api/me")).status == 200  # not signed out by the refused logout
    await agent.close()


async def test_the_websocket_needs_the_consoles_origin(client):
    agent = await sign_in(client, "1001")
    for headers in ({"Origin": "http://127.0.0.1:8080"}, {}):  # the customer site's page; no Origin at all
        async with aiohttp.ClientSession(base_url=str(client.make_url("/")), cookie_jar=agent.cookie_jar) as other:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await other.ws_connect("/ws", headers=headers)
            assert refused.value.status == 403
    socket = await agent.ws_connect("/ws")  # the console's own origin
    assert (await socket.receive_json())["type"] == "queue"
    await socket.close()
    await agent.close()


async def test_the_service_api_with_its_bearer_token_needs_no_origin(client):
    status, body = await open_case(client)  # no Origin: the bot's actions are not a browser
    assert (status, body) == (200, {"status": "unavailable", "why": "no_agent"})
    relayed = await client.post("/v1/relay", json={"sender_id": "x", "text": "在吗"}, headers=SERVICE)
    assert await relayed.json() == {"relayed": False, "case_id": None}


async def test_a_configured_origin_list_replaces_the_consoles_own(client, clock):
    settings = dataclasses.replace(client.app[SERVICE_KEY].settings, console_origins=("https://agents.example.com",))
    async with TestClient(TestServer(create_app(settings, clock=clock, retry=False))) as configured:
        own = await configured.post("/api/login", json=login("x", "y"), headers=browser(configured))
        assert (own.status, await own.json()) == (403, ORIGIN_REFUSED)
        listed = await configured.post(
            "/api/login", json=login("x", "y"), headers={"Origin": "https://agents.example.com"}
        )
        assert listed.status == 401  # past the Origin check: an unknown agent


# -- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, status",
    [
        ("/login", 200),
        ("/", 302),
        ("/static/console/main.js", 200),
        ("/static/console.css", 200),
        ("/api/me", 401),
        ("/health", 200),
        ("/nothing", 401),
        ("/static/nothing.js", 404),
    ],
)
async def test_every_console_response_carries_the_security_headers(client, path, status):
    response = await client.get(path, allow_redirects=False)
    assert response.status == status
    host = client.make_url("").host + ":" + str(client.make_url("").port)
    assert {
        name: response.headers.get(name)
        for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")
    } == {
        "Content-Security-Policy": csp(f"ws://{host}"),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def test_the_console_pages_have_no_inline_script_or_style():
    """What the CSP would block: inline <script> and <style>, style= and on...= attributes."""
    from bot.services.desk.routes import STATIC

    for page in ("login.html", "console.html"):
        html = (STATIC / page).read_text(encoding="utf-8")
        assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/static/console/main.js">']
        assert re.findall(r"<style|\sstyle\s*=|\son[a-z]+\s*=", html) == []


# -- login throttle -------------------------------------------------------------------------------


async def post_login(client, username, password, **headers):
    response = await client.post("/api/login", json=login(username, password), headers={**browser(client), **headers})
    return response.status, await response.json()


async def test_an_account_is_throttled_after_five_failures_until_the_window_passes(client, clock):
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert (await post_login(client, "1001", "wrong-password"))[0] == 401
    status, body = await post_login(client, "1001", "password-1001")  # even the right password
    assert (status, body) == (
        429,
        {"error": "too_many_attempts", "message": "too many failed sign-ins; try again later", "retry_after": 900},
    )
    assert (await post_login(client, "1002", "password-1002"))[0] == 200  # other accounts are not locked out
    clock.advance(minutes=14)
    assert (await post_login(client, "1001", "password-1001")) == (429, {**body, "retry_after": 60})
    clock.advance(minutes=1)
    assert (await post_login(client, "1001", "password-1001"))[0] == 200


async def test_a_burst_of_attempts_gets_no_more_password_checks_than_the_limit(client):
    import asyncio

    answers = await asyncio.gather(*(post_login(client, "1001", f"guess-{n}") for n in range(12)))
    statuses = [status for status, _ in answers]
    assert set(statuses) <= {401, 429} and 0 < statuses.count(429)
    assert statuses.count(401) <= MAX_FAILURES_PER_ACCOUNT


async def test_a_successful_sign_in_clears_the_accounts_failures(client):
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        await post_login(client, "1001", "wrong-password")
    assert (await post_login(client, "1001", "password-1001"))[0] == 200
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        await post_login(client, "1001", "wrong-password")
    assert (await post_login(client, "1001", "password-1001"))[0] == 200


async def test_an_address_is_throttled_after_twenty_failures_across_accounts(client, service_app):
    for number in range(MAX_FAILURES_PER_ADDRESS):
        assert (await post_login(client, f"guess{number}", "123456"))[0] == 401
    status, body = await post_login(client, "1001", "password-1001")
    assert (status, body["error"], body["retry_after"]) == (429, "too_many_attempts", 900)


async def test_the_throttle_holds_across_a_restart(client, service_app, clock):
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        await post_login(client, "1001", "wrong-password")
    settings = service_app[SERVICE_KEY].settings
    await client.close()
    async with TestClient(TestServer(create_app(settings, clock=clock, retry=False))) as again:
        assert (await post_login(again, "1001", "password-1001"))[0] == 429


async def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, clock):
    settings = dataclasses.replace(client.app[SERVICE_KEY].settings, trusted_proxies=("127.0.0.1",))
    async with TestClient(TestServer(create_app(settings, clock=clock, retry=False))) as proxied:
        for number in range(MAX_FAILURES_PER_ADDRESS):
            await post_login(proxied, f"guess{number}", "123456", **{"X-Forwarded-For": "203.0.113.7"})
        assert (await post_login(proxied, "1001", "password-1001", **{"X-Forwarded-For": "203.0.113.7"}))[0] == 429
        assert (await post_login(proxied, "1001", "password-1001", **{"X-Forwarded-For": "198.51.100.2"}))[0] == 200


# -- the Secure cookie ----------------------------------------------------------------------------


async def test_the_cookie_is_secure_when_served_over_https_through_a_trusted_proxy(client, clock):
    settings = dataclasses.replace(client.app[SERVICE_KEY].settings, trusted_proxies=("127.0.0.1",))
    async with TestClient(TestServer(create_app(settings, clock=clock, retry=False))) as proxied:
        origin = "https://" + proxied.make_url("").host + ":" + str(proxied.make_url("").port)
        response = await proxied.post(
            "/api/login", json=login("1001", "password-1001"), headers={"Origin": origin, "X-Forwarded-Proto": "https"}
        )
        assert response.status == 200
        assert response.cookies["agent_session"]["secure"] is True
        assert "wss://" in response.headers["Content-Security-Policy"]


async def test_the_cookie_is_not_secure_over_plain_http_nor_for_an_untrusted_forwarded_proto(client):
    response = await client.post(
        "/api/login", json=login("1001", "password-1001"), headers={**browser(client), "X-Forwarded-Proto": "https"}
    )
    assert response.status == 200
    assert not response.cookies["agent_session"]["secure"]


# -- masking before the database and the console ---------------------------------------------------


async def test_what_the_customer_says_is_masked_before_the_database_and_the_console(client, service_app):
    agent, socket = await online(client, "1001")
    transcript = [
        {"role": "customer", "text": "身份证 440301 19900101 123X，卡号6222 0212 3456 7890"},
        {"role": "bot", "text": "“12 34 56”不是有效的11位手机号码"},
    ]
    _, body = await open_case(
        client,
        transcript=transcript,
        masked_phone="13800138000",
        context={"slots": {"fault_description": "密码是１２３４５６"}, "intents": []},
    )
    case_id = body["case"]["id"]
    assert (await agent.post(f"/api/cases/{case_id}/take")).status == 200
    relayed = await client.post(
        "/v1/relay", json={"sender_id": "web-42", "text": "我的密码是 1 2 3 4 5 6，电话13800138000"}, headers=SERVICE
    )
    assert (await relayed.json())["relayed"] is True
    events = [await socket.receive_json() for _ in range(4)]
    live = next(e for e in events if e["type"] == "message")["message"]["text"]
    assert live == "我的密码是 * * * * * *，电话138****8000"
    case = await (await agent.get(f"/api/cases/{case_id}")).json()
    assert [m["text"] for m in case["transcript"]] == [
        "身份证 ****** ******** 123X，卡号**** **** **** 7890",
        "“** ** **”不是有效的11位手机号码",
        "王芳 已接入会话",
        live,
    ]
    assert case["masked_phone"] == "138****8000"
    assert case["context"]["slots"] == {"fault_description": "密码是******"}
    db_url = service_app[SERVICE_KEY].settings.database_url
    if db_url.startswith("sqlite:///"):  # the database file and its write-ahead log
        path = Path(db_url[len("sqlite:///") :])
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*")).decode("utf-8", "replace")
        for secret in ("123456", "19900101", "6222", "1 2 3 4 5 6", "13800138000"):
            assert secret not in stored
    await socket.close()
    await agent.close()


# -- body limits ----------------------------------------------------------------------------------


async def test_deep_json_and_compressed_bodies_are_refused_as_4xx(client):
    deep = b"[" * 5000 + b"]" * 5000
    for path, headers in (("/v1/cases", SERVICE), ("/api/login", browser(client))):
        response = await client.post(path, data=deep, headers={**headers, "Content-Type": "application/json"})
        assert (response.status, (await response.json())["error"]) == (400, "invalid_input")
        response = await client.post(path, data=gzip.compress(b"{}"), headers={**headers, "Content-Encoding": "gzip"})
        assert (response.status, (await response.json())["error"]) == (415, "unsupported_content_encoding")


def test_the_login_page_tells_a_throttled_agent_in_chinese_how_long_to_wait():
    """The page's side of the 429 (console/login.js): the minutes come from the answer's retry_after."""
    from bot.services.desk.routes import STATIC

    script = (STATIC / "console" / "login.js").read_text(encoding="utf-8")
    handler = script[script.index("err.status === 429") : script.index("err.status === 403")]
    assert "err.data.retry_after" in handler and "登录失败次数过多，请 ${minutes} 分钟后再试。" in handler
