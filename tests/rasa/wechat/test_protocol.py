"""Our WeChat protocol code against wechatpy, a widely used implementation of the same spec."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

from bot.rasa.wechat.protocol import (
    Crypto,
    ProtocolError,
    message_from,
    parse_xml,
    signature,
    signature_matches,
    text_reply,
)

TOKEN, APP_ID = "wechat-token", "wx1234567890abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TEXT = (
    "<xml><ToUserName><![CDATA[gh_operator]]></ToUserName><FromUserName><![CDATA[o_customer]]></FromUserName>"
    "<CreateTime>1790000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[查一下话费余额]]></Content><MsgId>24680</MsgId></xml>"
).encode()


def test_signature_is_what_wechatpy_checks():
    check_signature(TOKEN, signature(TOKEN, "1790000000", "nonce1"), "1790000000", "nonce1")  # raises if not
    assert signature_matches(signature(TOKEN, "1", "n"), TOKEN, "1", "n")
    assert not signature_matches("0" * 40, TOKEN, "1", "n")


def test_we_decrypt_what_wechatpy_encrypts_and_check_its_signature():
    reference = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    envelope = reference.encrypt_message(TEXT.decode(), "nonce2", "1790000000")
    fields = parse_xml(envelope.encode())
    ours = Crypto(TOKEN, AES_KEY, APP_ID)
    plain = ours.decrypt_request(envelope.encode(), fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
    message = message_from(parse_xml(plain))
    assert (message.from_user, message.content, message.msg_id, message.dedupe_key) == (
        "o_customer",
        "查一下话费余额",
        "24680",
        "24680",
    )


def test_wechatpy_decrypts_our_encrypted_reply():
    ours = Crypto(TOKEN, AES_KEY, APP_ID)
    reply = text_reply(message_from(parse_xml(TEXT)), "您的话费余额为 58.30 元。", now=1790000001)
    envelope = ours.encrypt_reply(reply, "1790000001", "nonce3")
    fields = parse_xml(envelope.encode())
    decrypted = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
        envelope, fields["MsgSignature"], "1790000001", "nonce3"
    )
    assert parse_xml(decrypted.encode()) == {
        "ToUserName": "o_customer",
        "FromUserName": "gh_operator",
        "CreateTime": "1790000001",
        "MsgType": "text",
        "Content": "您的话费余额为 58.30 元。",
    }


def test_a_message_for_another_app_or_with_a_bad_signature_is_refused():
    envelope = WeChatCrypto(TOKEN, AES_KEY, "wxotherapp000000").encrypt_message(TEXT.decode(), "n", "1")
    fields = parse_xml(envelope.encode())
    ours = Crypto(TOKEN, AES_KEY, APP_ID)
    with pytest.raises(ProtocolError):
        ours.decrypt_request(envelope.encode(), fields["MsgSignature"], "1", "n")
    with pytest.raises(PermissionError):
        ours.decrypt_request(envelope.encode(), "0" * 40, "1", "n")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b"<html></html>",
        b"<xml><ToUserName>x</ToUserName>",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>',
    ],
)
def test_malformed_bodies_are_protocol_errors(body):
    with pytest.raises(ProtocolError):
        message_from(parse_xml(body))


def test_events_are_deduplicated_by_sender_and_time():
    event = message_from(
        parse_xml(
            b"<xml><ToUserName>gh</ToUserName><FromUserName>o_1</FromUserName>"
            b"<CreateTime>1790000000</CreateTime><MsgType>event</MsgType>"
            b"<Event>subscribe</Event></xml>"
        )
    )
    assert (event.event, event.dedupe_key) == ("subscribe", "o_1:1790000000")


def test_reply_text_cannot_break_out_of_cdata():
    reply = text_reply(message_from(parse_xml(TEXT)), "a]]>b", now=1)
    assert parse_xml(reply.encode())["Content"] == "a]]>b"


@given(st.binary(max_size=3000))
def test_parse_xml_takes_any_bytes(body):
    try:
        fields = parse_xml(body)
    except ProtocolError:
        return
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in fields.items())


@given(
    st.dictionaries(
        st.sampled_from(["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event"]),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",))),
    )
)
def test_message_from_takes_any_fields(fields):
    try:
        message = message_from(fields)
    except ProtocolError:
        return
    assert message.from_user == fields["FromUserName"]


def test_xml_bombs_and_entities_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<xml><Content>&b;</Content></xml>"
    )
    with pytest.raises(ProtocolError):
        parse_xml(bomb)
    with pytest.raises(ProtocolError):
        parse_xml(b"<xml>" + b"x" * 70000 + b"</xml>")
