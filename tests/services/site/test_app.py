"""The web site with the chat widget: security headers on every response, no inline code, body limits."""

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.services.site.app import STATIC, SiteSettings, content_security_policy, create_app

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
    "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@pytest.fixture
async def client():
    async with TestClient(TestServer(create_app(SiteSettings(socket_url="http://127.0.0.1:5005")))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "path, status",
    [
        ("/", 200),
        ("/config.js", 200),
        ("/vendor/socket.io.min.js", 200),
        ("/static/widget.js", 200),
        ("/static/site.css", 200),
        ("/health", 200),
        ("/nothing", 404),
    ],
)
async def test_every_response_carries_the_security_headers(client, path, status):
    response = await client.get(path)
    assert response.status == status
    assert {
        name: response.headers.get(name)
        for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")
    } == {
        "Content-Security-Policy": POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


@pytest.mark.parametrize(
    "socket_url, connect",
    [
        ("http://127.0.0.1:5005", "'self' http://127.0.0.1:5005 ws://127.0.0.1:5005"),
        ("https://chat.example.com/", "'self' https://chat.example.com wss://chat.example.com"),
        ("", "'self'"),  # the page's own origin (behind one proxy)
    ],
)
def test_the_policy_lets_the_widget_reach_rasas_socket_io(socket_url, connect):
    assert f"connect-src {connect};" in content_security_policy(socket_url)


def test_the_page_has_no_inline_script_or_style():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/vendor/socket.io.min.js">',
        '<script src="/config.js">',
        '<script src="/static/widget.js">',
    ]
    assert re.findall(r"<style|\sstyle\s*=|\son[a-z]+\s*=", html) == []


async def test_compressed_or_large_bodies_are_refused(client):
    response = await client.post("/", data=b"x", headers={"Content-Encoding": "gzip"})
    assert (response.status, (await response.json())["error"]) == (415, "unsupported_content_encoding")
    response = await client.post("/", data=b"x" * 20_000)
    assert (response.status, (await response.json())["error"]) == (413, "body_too_large")
