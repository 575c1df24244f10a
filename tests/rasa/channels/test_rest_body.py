"""The REST channel's check of webhook bodies (pure), before Rasa reads them."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rasa.channels.rest import MAX_BODY_BYTES, PROBLEMS, body_problem


@pytest.mark.parametrize(
    "body, problem",
    [
        ('{"sender": "c1", "message": "查话费"}'.encode(), None),
        (b'{"sender": "c1", "message": ""}', None),  # the guard answers an empty message
        (b"", "invalid_json"),
        (b"{", "invalid_json"),
        (b"[]", "invalid_json"),
        (b'"text"', "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        ("查话费".encode("gbk"), "invalid_json"),
        (b"<xml><Content>hi</Content></xml>", "invalid_json"),
        (b'{"message": "hi"}', "invalid_input"),
        (b'{"sender": "", "message": "hi"}', "invalid_input"),
        (b'{"sender": 5, "message": "hi"}', "invalid_input"),
        (b'{"sender": "c1", "message": 5}', "invalid_input"),
        (b'{"sender": "c1", "message": null}', "invalid_input"),
        (b'{"sender": "c1", "message": ["hi"]}', "invalid_input"),
        (json.dumps({"sender": "x" * 129, "message": "hi"}).encode(), "invalid_input"),
        (b'{"sender": "\\ud800", "message": "hi"}', "invalid_input"),  # a lone surrogate stopped Rasa's SQL store
        (b'{"sender": "c\\udfff1", "message": "hi"}', "invalid_input"),
        (b'{"sender": "c\\u00001", "message": "hi"}', "invalid_input"),  # control characters
        (b'{"sender": "c\\n1", "message": "hi"}', "invalid_input"),
        ('{"sender": "微信用户😀", "message": "hi"}'.encode(), None),  # any printable text is a sender
        (json.dumps({"sender": "c1", "message": "话" * 30000}).encode(), "too_large"),
    ],
)
def test_body_problem(body, problem):
    assert body_problem(body) == problem


@given(st.binary(max_size=2000))
def test_any_bytes_get_an_answer(body):
    assert body_problem(body) in (None, *PROBLEMS)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=10,
    )
)
def test_any_json_gets_an_answer(value):
    problem = body_problem(json.dumps(value).encode())
    accepted = (
        isinstance(value, dict)
        and isinstance(value.get("sender"), str)
        and value["sender"].strip()
        and len(value["sender"]) <= 128
        and isinstance(value.get("message"), str)
    )
    assert (problem is None) == bool(accepted)


def test_the_limit_is_on_bytes():
    assert body_problem(b" " * (MAX_BODY_BYTES + 1)) == "too_large"


@pytest.mark.parametrize("depth", [65, 1000, 5000, 30000])
def test_deeply_nested_json_is_refused_not_a_recursion_error(depth):
    assert body_problem(b'{"sender": "c1", "message": "hi", "x": ' + b"[" * depth + b"]" * depth + b"}") == "too_deep"
    assert body_problem(b"[" * depth + b"]" * depth) == "too_deep"


def test_nesting_within_the_limit_is_read():
    nested = b"[" * 60 + b"]" * 60
    assert body_problem(b'{"sender": "c1", "message": "hi", "x": ' + nested + b"}") is None
    assert body_problem(b'{"sender": "c1", "message": "' + b"[" * 5000 + b'"}') is None  # brackets in a string
