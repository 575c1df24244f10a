"""Server-signed web chat sessions."""

import pytest

from bot.rasa.channels.sessions import new_session, sender_for

SECRET = "session-secret-0123456789"


def test_a_new_session_maps_to_its_own_conversation():
    first, second = new_session(SECRET), new_session(SECRET)
    assert first != second
    assert sender_for(SECRET, first) == "web:" + first.split(".")[0]
    assert sender_for(SECRET, second) != sender_for(SECRET, first)


@pytest.mark.parametrize(
    "forged",
    [
        None,
        42,
        "",
        "web:abc",
        "0" * 32,
        "0" * 32 + "." + "0" * 32,
        "x" * 200,
    ],
)
def test_ids_the_server_did_not_sign_are_refused(forged):
    assert sender_for(SECRET, forged) is None


def test_another_servers_signature_is_refused():
    assert sender_for(SECRET, new_session("another-secret-0123456789")) is None


def test_a_tampered_id_is_refused():
    token, signature = new_session(SECRET).split(".")
    assert sender_for(SECRET, f"{token[:-1]}{'0' if token[-1] != '0' else '1'}.{signature}") is None
