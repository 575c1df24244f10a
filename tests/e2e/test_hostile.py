"""The fuzz suite's generators (tests/e2e/hostile.py), without the stack: seeded, complete, well formed."""

import base64
import gzip
import json
import random
import time
from collections import Counter

from wechatpy.crypto import WeChatCrypto

from bot.rasa.wechat.protocol import Crypto, parse_xml, signature
from tests.e2e import hostile
from tests.e2e.hostile import ANSWERED, REFUSED

TOKEN = "fuzz-token-0123456789"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wxe2e0000000000000"


def plan(seed: int):
    """What tests/e2e/test_fuzz.py generates for a seed, in its order and sizes."""
    from tests.e2e import test_fuzz

    rng = random.Random(seed)
    rest = hostile.hostile_texts(rng, test_fuzz.REST_TEXTS)
    wechat = hostile.wechat_cases(rng, hostile.hostile_texts(rng, test_fuzz.WECHAT_TEXTS))
    socketio = hostile.hostile_texts(rng, test_fuzz.SOCKETIO_TEXTS)
    states = hostile.state_inputs(rng)
    return rest, wechat, socketio, states


def test_the_same_seed_gives_the_same_inputs_and_another_seed_others():
    assert plan(16) == plan(16)
    assert plan(16)[0] != plan(17)[0]
    assert plan(16)[1] != plan(17)[1]


def test_the_suite_sends_at_least_1000_inputs():
    rest, wechat, socketio, states = plan(16)
    bodies = hostile.body_cases({"sender": "s", "message": "m"})
    services = [case for case in hostile.body_cases({"fuzz": True}) if case.expect == REFUSED]
    # The REST channel, WeChat, socket.io (messages and raw packets), the states, three services and the site.
    total = (
        len(rest)
        + len(bodies)
        + len(wechat)
        + len(socketio)
        + len(hostile.socketio_packets())
        + len(states)
        + 3 * len(services)
        + 12
    )
    assert total >= 1000, total


def test_every_category_of_text_is_present_in_every_channel():
    for texts in (plan(16)[0], plan(16)[2]):
        assert set(Counter(text.category for text in texts)) == set(hostile.CATEGORIES)
    assert {case.category for case in plan(16)[1]} == {"text", "downgrade", "signature", "timestamp", "xml", "aes"}


def test_the_texts_hold_the_tricks_they_are_named_for():
    texts = hostile.hostile_texts(random.Random(1), 12 * 20)
    by = {category: [t.text for t in texts if t.category == category] for category in hostile.CATEGORIES}
    assert all(any(c in text for c in hostile.ZERO_WIDTH) for text in by["zero_width"])
    assert all(any(c in text for c in hostile.BIDI) for text in by["bidi"])
    assert all(any(c in text for c in hostile.SURROGATES) for text in by["lone_surrogate"])
    assert all(any(c in text for c in hostile.CONTROLS) for text in by["control"])
    assert all(any(c in text for c in hostile.COMBINING) for text in by["combining"])
    assert all(any(core in text for core in hostile.ENTITY_PAYLOADS) for text in by["slash_payload"])
    assert all(t.typed_payload for t in texts if t.category == "slash_payload")
    assert max(len(text) for text in by["long"]) > 500


def test_every_slash_variant_and_leading_space_is_generated():
    variants = hostile.all_slash_payloads('affirm{"amount":"500"}')
    assert {v for v in variants if not v.startswith(hostile.LEADING[1:])} >= {
        s + 'affirm{"amount":"500"}' for s in hostile.SLASHES
    }
    assert '\u3000／affirm{"amount":"500"}' in variants and '\u00a0/affirm{"amount":"500"}' in variants
    assert len(set(variants)) == len(hostile.SLASHES) + 2 * (len(hostile.LEADING) - 1)


def test_the_issue_reproductions_come_first_in_each_state():
    states = hostile.state_inputs(random.Random(3))
    firsts = {}
    for item in states:
        firsts.setdefault(item.state, item.text)
    assert firsts == {
        "payment_summary": '／affirm{"amount":"500"}',
        "amount_question": '／inform{"amount":"1E+999990"}',
        "cancel_confirmation": '／inform{"cancel_confirmed":true}',
    }
    assert Counter(item.state for item in states) == {
        "payment_summary": 24,
        "amount_question": 16,
        "cancel_confirmation": 8,
    }
    assert all(item.typed_payload for item in states if item.state != "amount_question")


def test_the_body_cases_cover_nesting_size_and_encodings():
    cases = {case.name: case for case in hostile.body_cases({"sender": "s", "message": "m"})}
    assert cases["5,000 nested lists"].body == b"[" * 5000 + b"]" * 5000
    assert len(cases["2 MB body"].body) > 2 * 1024 * 1024
    bomb = cases["gzip bomb (10 MB of zeros)"]
    assert ("Content-Encoding", "gzip") in bomb.headers and len(bomb.body) < 64 * 1024
    assert len(gzip.decompress(bomb.body)) == 10 * 1024 * 1024
    assert json.loads(gzip.decompress(cases["gzip JSON"].body)) == {"sender": "s", "message": "m"}
    assert {case.category for case in cases.values()} == {
        "body",
        "nesting",
        "size",
        "encoding",
        "content_type",
        "headers",
        "auth",
        "method",
    }


def test_safe_mode_requests_are_what_wechat_sends():
    case = hostile.WeChatCase("text", "aes text", "aes", "你好", expect=ANSWERED)
    now = int(time.time())
    params, body = hostile.wechat_request(
        case,
        token=TOKEN,
        aes_key=AES_KEY,
        app_id=APP_ID,
        openid="o_1",
        msg_id=7,
        now=now,
        nonce="n1",
        random_prefix=b"r" * 16,
    )
    encrypted = parse_xml(body)["Encrypt"]
    assert params == {
        "timestamp": str(now),
        "nonce": "n1",
        "openid": "o_1",
        "signature": signature(TOKEN, str(now), "n1"),
        "encrypt_type": "aes",
        "msg_signature": signature(TOKEN, str(now), "n1", encrypted),
    }
    plain = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(body.decode(), params["msg_signature"], str(now), "n1")
    assert parse_xml(plain.encode())["Content"] == "你好"
    assert Crypto(TOKEN, AES_KEY, APP_ID).decrypt(encrypted) == hostile.text_message_xml("o_1", "你好", now, 7)


def test_hostile_wechat_variants():
    now = 1_700_000_000

    def request(**fields):
        case = hostile.WeChatCase("x", "x", **{"text": "hi", **fields})
        return hostile.wechat_request(
            case,
            token=TOKEN,
            aes_key=AES_KEY,
            app_id=APP_ID,
            openid="o_1",
            msg_id=1,
            now=now,
            nonce="n",
            random_prefix=b"r" * 16,
        )

    params, body = request(mode="plain")
    assert "encrypt_type" not in params and parse_xml(body)["Content"] == "hi"
    assert request(mode="plain", signature="bad")[0]["signature"] == "0" * 40
    assert "signature" not in request(signature="missing")[0]
    assert request(timestamp="stale")[0]["timestamp"] == str(now - 3600)
    assert "msg_signature" not in request(msg_signature="missing")[0]
    params, body = request(encrypt="!!!not base64!!!")
    assert parse_xml(body)["Encrypt"] == "!!!not base64!!!"
    assert params["msg_signature"] == signature(TOKEN, str(now), "n", "!!!not base64!!!")  # reaches the decryption
    params, body = request(mode="unencrypted")
    assert params["encrypt_type"] == "aes" and parse_xml(body)["Content"] == "hi"
    _, body = request(mode="plain", text="a\ud800b")
    assert b"\xed\xa0\x80" in body  # a lone surrogate, as the bytes a broken client would send
    encrypted = parse_xml(request(app_id="wx_attacker_000000")[1])["Encrypt"]
    assert base64.b64decode(encrypted)  # well-formed, for another AppID


def test_socketio_packets_are_engine_io_message_packets():
    packets = dict(hostile.socketio_packets())
    assert packets["5,000 nested lists as the event"] == b"42" + b"[" * 5000 + b"]" * 5000
    assert len(packets) == 20
