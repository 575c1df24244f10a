"""bot/rasa/channels/client_address.py: whose address a message came from (pure)."""

import pytest

from bot.rasa.channels.client_address import client_address, environ_address, with_client_address


@pytest.mark.parametrize(
    "peer, headers, expected",
    [
        ("203.0.113.7", {}, "203.0.113.7"),
        ("203.0.113.7", {"X-Forwarded-For": "10.0.0.1"}, "203.0.113.7"),  # a client's own header is ignored
        ("203.0.113.7", {"X-Real-IP": "10.0.0.1"}, "203.0.113.7"),
        ("127.0.0.1", {}, "127.0.0.1"),
        ("127.0.0.1", {"X-Forwarded-For": "198.51.100.4"}, "198.51.100.4"),  # our nginx
        ("127.0.0.1", {"x-forwarded-for": "6.6.6.6, 198.51.100.4"}, "198.51.100.4"),  # only nginx's entry
        ("::1", {"X-Forwarded-For": "2001:db8::1"}, "2001:db8::1"),
        ("127.0.0.1", {"X-Forwarded-For": "not an address"}, "127.0.0.1"),
        ("127.0.0.1", {"X-Real-IP": "6.6.6.6"}, "127.0.0.1"),  # nginx does not set it: the client could
        ("2001:DB8::0001", {}, "2001:db8::1"),
        ("", {}, ""),
        (None, {"X-Forwarded-For": "1.2.3.4"}, ""),
    ],
)
def test_client_address(peer, headers, expected):
    assert client_address(peer, headers) == expected


def test_with_client_address_keeps_the_metadata_and_overrides_a_forged_one():
    assert with_client_address({"a": 1, "client_address": "6.6.6.6"}, "1.2.3.4") == {
        "a": 1,
        "client_address": "1.2.3.4",
    }
    assert with_client_address(None, "1.2.3.4") == {"client_address": "1.2.3.4"}


def test_environ_address_reads_the_sanic_request_not_engineios_constant():
    class Request:
        ip = "203.0.113.9"

    assert environ_address({"REMOTE_ADDR": "127.0.0.1", "sanic.request": Request}) == "203.0.113.9"
    assert (
        environ_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.1.1.1,198.51.100.4"}) == "198.51.100.4"
    )
