"""bot/core/sanic_limits.py: what our Sanic servers refuse before a handler reads the body (pure part;
tests/rasa/channels/test_channel_server.py and tests/services/test_action_server.py run the servers)."""

import pytest

from bot.core.sanic_limits import problem


@pytest.mark.parametrize(
    "headers, body, expected",
    [
        ({}, b'{"a": [1, {"b": 2}]}', None),
        ({"Content-Encoding": "identity"}, b"{}", None),
        ({"content-encoding": " Identity "}, b"", None),
        ({"Content-Encoding": "gzip"}, b"", "unsupported_content_encoding"),
        ({"CONTENT-ENCODING": "deflate"}, b"{}", "unsupported_content_encoding"),
        ({"Content-Encoding": "identity, gzip"}, b"{}", "unsupported_content_encoding"),
        ({}, b"[" * 5000 + b"]" * 5000, "invalid_input"),
        ({}, b' \n{"x": ' + b"{" * 65 + b"}" * 66, "invalid_input"),
        ({}, b'{"x": "' + b"[" * 5000 + b'"}', None),  # inside a string
        ({}, b"<xml><![CDATA[" + b"[" * 200 + b"]]></xml>", None),  # not JSON: not counted
        ({}, None, None),
    ],
)
def test_problem(headers, body, expected):
    assert problem(headers, body) == expected
