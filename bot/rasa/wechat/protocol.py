"""The WeChat Official Account message protocol, pure: signatures, AES safe mode, XML.

Follows WeChat's 消息加解密 specification: SHA-1 signatures over the sorted strings; in safe mode
AES-256-CBC with key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, plaintext =
16 random bytes + 4-byte big-endian length + message + AppID, PKCS#7 padded to 32 bytes.
tests/rasa/wechat/test_protocol.py checks it against wechatpy, a widely used implementation.
"""

import base64
import hashlib
import hmac
import os
import struct
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Dict, Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class ProtocolError(ValueError):
    """A request that does not follow the protocol: bad XML, bad signature, wrong AppID."""


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_matches(expected: str, *parts: str) -> bool:
    return hmac.compare_digest(signature(*parts), expected or "")


@dataclass(frozen=True)
class Message:
    to_user: str
    from_user: str  # the customer's openid
    create_time: int
    msg_type: str  # text | image | voice | video | location | link | event | ...
    content: str = ""
    msg_id: str = ""
    event: str = ""

    @property
    def dedupe_key(self) -> str:
        """What identifies a message across WeChat's retries: MsgId, or sender + time for events."""
        return self.msg_id or f"{self.from_user}:{self.create_time}"


def parse_xml(body: bytes) -> Dict[str, str]:
    if len(body) > 64 * 1024:
        raise ProtocolError("body too large")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ProtocolError("DTDs are not allowed")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ProtocolError(f"malformed XML: {error}") from None
    if root.tag != "xml":
        raise ProtocolError("the root element must be <xml>")
    return {child.tag: (child.text or "") for child in root}


def message_from(fields: Dict[str, str]) -> Message:
    try:
        return Message(
            to_user=fields["ToUserName"],
            from_user=fields["FromUserName"],
            create_time=int(fields["CreateTime"]),
            msg_type=fields["MsgType"],
            content=fields.get("Content", ""),
            msg_id=fields.get("MsgId", ""),
            event=fields.get("Event", "").lower(),
        )
    except (KeyError, ValueError) as error:
        raise ProtocolError(f"missing or bad field: {error}") from None


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(message: Message, content: str, now: Optional[int] = None) -> str:
    """A passive text reply to `message` (to and from swapped)."""
    return (
        f"<xml><ToUserName>{_cdata(message.from_user)}</ToUserName>"
        f"<FromUserName>{_cdata(message.to_user)}</FromUserName>"
        f"<CreateTime>{now or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content></xml>"
    )


class Crypto:
    """Safe mode (安全模式) for one Official Account."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != 43:
            raise ValueError("EncodingAESKey must be 43 characters")
        self.token = token
        self.key = base64.b64decode(encoding_aes_key + "=")
        self.app_id = app_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def decrypt(self, encrypted: str) -> bytes:
        try:
            data = base64.b64decode(encrypted, validate=True)
            decryptor = self._cipher().decryptor()
            plain = decryptor.update(data) + decryptor.finalize()
        except ValueError as error:
            raise ProtocolError(f"cannot decrypt: {error}") from None
        pad = plain[-1] if plain else 0
        if not 1 <= pad <= 32 or len(plain) < 20 + pad:
            raise ProtocolError("bad padding")
        content = plain[16:-pad]
        (length,) = struct.unpack(">I", content[:4])
        message, app_id = content[4 : 4 + length], content[4 + length :]
        if not hmac.compare_digest(app_id, self.app_id.encode()):
            raise ProtocolError("the message is for another AppID")
        return message

    def encrypt(self, message: str, random_prefix: Optional[bytes] = None) -> str:
        body = message.encode()
        plain = (random_prefix or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.app_id.encode()
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt_request(self, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> bytes:
        encrypted = parse_xml(body).get("Encrypt")
        if not encrypted:
            raise ProtocolError("no <Encrypt> element in safe mode")
        if not signature_matches(msg_signature, self.token, timestamp, nonce, encrypted):
            raise PermissionError("bad msg_signature")
        return self.decrypt(encrypted)

    def encrypt_reply(self, reply_xml: str, timestamp: str, nonce: str) -> str:
        encrypted = self.encrypt(reply_xml)
        return (
            f"<xml><Encrypt>{_cdata(encrypted)}</Encrypt>"
            f"<MsgSignature>{_cdata(signature(self.token, timestamp, nonce, encrypted))}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>"
        )
