"""bot/rasa/auth.py: Rasa's API token from the Authorization header, in constant time, never from the URL."""

import hmac
import types

import pytest
import rasa.server
from rasa.server import ErrorResponse

from bot.rasa import auth as rasa_auth
from bot.rasa.auth import QUERY_REFUSED, bearer, header_auth

TOKEN = "admin-token-0123456789abcdef"


async def handler(request, conversation_id="c1"):
    return f"served {conversation_id}"


def protected(token=TOKEN):
    app = types.SimpleNamespace(config={})
    return header_auth(rasa.server.requires_auth)(app, token)(handler)


def request(headers=None, args=None):
    return types.SimpleNamespace(headers=headers or {}, args=args or {})


async def test_the_bearer_token_is_let_in():
    assert await protected()(request({"Authorization": f"Bearer {TOKEN}"}), conversation_id="c9") == "served c9"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer 密码"},
    ],
)
async def test_anything_else_is_401(headers):
    with pytest.raises(ErrorResponse) as refused:
        await protected()(request(headers))
    assert refused.value.status == 401 and TOKEN not in str(refused.value.error_info)


@pytest.mark.parametrize("headers", [{}, {"Authorization": f"Bearer {TOKEN}"}])
async def test_a_token_in_the_query_string_is_refused_with_the_reason(headers):
    with pytest.raises(ErrorResponse) as refused:
        await protected()(request(headers, args={"token": [TOKEN]}))
    assert (refused.value.status, refused.value.error_info["message"]) == (401, QUERY_REFUSED)
    assert TOKEN not in str(refused.value.error_info)


async def test_compared_in_constant_time(monkeypatch):
    compared, compare = [], hmac.compare_digest

    def spy(given, expected):
        compared.append((given, expected))
        return compare(given, expected)

    monkeypatch.setattr(rasa_auth.hmac, "compare_digest", spy)
    assert await protected()(request({"Authorization": f"Bearer {TOKEN}"})) == "served c1"
    assert compared == [(TOKEN.encode(), TOKEN.encode())]


async def test_without_a_token_rasa_decides_as_before():
    assert await protected(token=None)(request()) == "served c1"  # Rasa's own: API without authentication


def test_bearer():
    assert [bearer(h) for h in (f"Bearer {TOKEN}", f"bearer  {TOKEN} ", "Basic x", "", None)] == [
        TOKEN,
        TOKEN,
        "",
        "",
        "",
    ]


def test_installed_before_rasa_builds_its_app(monkeypatch):
    monkeypatch.setattr(rasa.server, "requires_auth", rasa.server.requires_auth)  # undone after the test
    monkeypatch.setattr(rasa_auth, "_installed", False)
    original = rasa.server.requires_auth
    rasa_auth.install()
    rasa_auth.install()  # once only
    assert rasa.server.requires_auth is not original and rasa.server.requires_auth.__wrapped__ is original


@pytest.mark.parametrize("headers", [{}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer 密码"}])
async def test_wrapping_an_already_wrapped_check_still_refuses(headers):
    # The whole suite runs with install() done by another test: the wrapper may wrap itself.
    app = types.SimpleNamespace(config={})
    twice = header_auth(header_auth(rasa.server.requires_auth))(app, TOKEN)(handler)
    with pytest.raises(ErrorResponse) as refused:
        await twice(request(headers))
    assert refused.value.status == 401
    assert await twice(request({"Authorization": f"Bearer {TOKEN}"})) == "served c1"
