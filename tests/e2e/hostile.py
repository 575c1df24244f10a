"""Hostile inputs for the end-to-end fuzz suite (tests/e2e/test_fuzz.py): pure, seeded generators.

Everything here is a function of a `random.Random` and plain arguments: no clock, no network, no
environment. The same seed gives the same inputs, so a failure the suite reports (its seed, channel
and case name) can be replayed. tests/e2e/test_hostile.py checks the generators without the stack.

Three kinds of cases:
- `Text`: a chat message typed by a customer (Unicode tricks, typed intent payloads in every slash
  variant, huge and odd numbers, ...), sent through REST, WeChat and socket.io;
- `HttpCase`: a raw HTTP request to a service (bodies, encodings, nesting, headers);
- `WeChatCase`: a WeChat delivery (plain or safe mode, good or bad signatures, odd XML), turned into
  a request by `wechat_request` once the token, AES key and time are known.
"""

import base64
import gzip
import hashlib
import json
import random
import struct
import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# What a case expects from the server: a 2xx answer, a 4xx refusal, or anything but a 5xx.
ANSWERED, REFUSED, ANY = "answered", "refused", "any"

# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------

SLASHES = (
    "/",  # ASCII
    "／",  # U+FF0F FULLWIDTH SOLIDUS
    "⁄",  # U+2044 FRACTION SLASH
    "∕",  # U+2215 DIVISION SLASH
    "⧸",  # U+29F8 BIG SOLIDUS
    "╱",  # U+2571 BOX DRAWINGS LIGHT DIAGONAL
    "⟋",  # U+27CB MATHEMATICAL RISING DIAGONAL
    "⼃",  # U+2F03 KANGXI RADICAL SLASH
    "〳",  # U+3033 VERTICAL KANA REPEAT MARK UPPER HALF
    "丿",  # U+4E3F CJK ideograph that looks like a slash
    "//",
    "／／",
    "/\u200b",  # a slash followed by a zero-width space
    "\u0338",  # COMBINING LONG SOLIDUS OVERLAY
)

LEADING = (
    "",
    " ",
    "   ",
    "\u3000",  # IDEOGRAPHIC SPACE
    "\u00a0",  # NO-BREAK SPACE
    "\u2002",  # EN SPACE
    "\u2003",  # EM SPACE
    "\u2009",  # THIN SPACE
    "\u200a",  # HAIR SPACE
    "\u202f",  # NARROW NO-BREAK SPACE
    "\u205f",  # MEDIUM MATHEMATICAL SPACE
    "\u1680",  # OGHAM SPACE MARK
    "\t",
    "\n",
    "\r\n",
    "\u200b",  # ZERO WIDTH SPACE
    "\u200c",  # ZERO WIDTH NON-JOINER
    "\u200d",  # ZERO WIDTH JOINER
    "\u2060",  # WORD JOINER
    "\ufeff",  # BYTE ORDER MARK
    "\u180e",  # MONGOLIAN VOWEL SEPARATOR
    "\u00ad",  # SOFT HYPHEN
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u3000\u200b\u00a0",
)

# Typed intent payloads. The first group carries entities or names an intent no button offers at
# that point: acting on any of them is a typed intent being obeyed.
ENTITY_PAYLOADS = (
    'affirm{"amount":"500"}',
    'affirm{"amount": "500", "pay_confirmed": true}',
    'inform{"pay_confirmed":true}',
    'inform{"pay_confirmed": true, "amount": "500"}',
    'inform{"amount":"500"}',
    'inform{"amount":"1E+999990"}',
    'inform{"amount":"9999999999999999999999"}',
    'inform{"cancel_confirmed":true}',
    'inform{"identity_verified":true,"verified_phone":"13800138000"}',
    'inform{"phone_number":"13800138000","service_password":"123456"}',
    'inform{"payment_method":"微信","amount":"500"}',
    'affirm@1.0{"amount":"500"}',
    'cancel_package{"package_name":"冰激凌套餐"}',
    'rate{"satisfaction_score":"1"}',
    "restart",
    "session_start",
    "request_human",
    "unsupported_message",
    "nlu_fallback",
)
# Payloads of the domain's own buttons: typed exactly, they are the button (no assertion on them
# beyond "no money moves without the summary that was shown").
BUTTON_PAYLOADS = ("affirm", "deny", 'inform{"payment_method": "微信"}')

NUMBERS = (
    "1E+999990",
    "1e999999",
    "1E+999999",
    "-1E+999999",
    "1e-999999",
    "9" * 5000,
    "9" * 400,
    "0" * 300 + "1",
    "-0",
    "-0.00",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "0.001",
    "0.01",
    "１２３４５",
    "１Ｅ＋９９９９９９",
    "一亿亿亿",
    "九千九百九十九万亿",
    "壹佰元",
    "五十万亿亿亿亿",
    "٥٠",  # Arabic-Indic digits
    "५०",  # Devanagari digits
    "𝟓𝟎",  # mathematical bold digits
    "⑤⓪",
    "0x1F4",
    "5e2",
    "1_000",
    "1,000,000",
    "+50",
    "-50",
    "50.",
    ".5",
    "50.123456789",
    "²⁵",
    "½",
    "¥-50",
    "50元" * 100,
)

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e")
BIDI = ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f")
COMBINING = tuple(chr(code) for code in range(0x0300, 0x0370))
CONTROLS = tuple(chr(code) for code in list(range(0x00, 0x20)) + [0x7F] + list(range(0x80, 0xA0)))
SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff", "\ud83d")
EMOJI = ("😀", "💰", "👍🏽", "👨‍👩‍👧‍👦", "🇨🇳", "🏳️‍🌈", "❤️", "🔥" * 3, "\U0001f9ff", "🀄")

CHINESE = (
    "查一下话费余额",
    "我要交话费",
    "给13900139000充50元",
    "确认",
    "算了",
    "退订视频会员包",
    "转人工",
    "你好",
    "我要投诉",
    "宽带断网了",
    "查工单",
    "查一下我的套餐",
    "确认退订",
    "不对，是500块",
)
TRADITIONAL = (
    "查詢話費餘額",
    "我要繳話費",
    "確認",
    "確認退訂",
    "幫我退訂冰激凌套餐",
    "轉人工客服",
    "寬帶斷網了",
    "給13900139000儲值五十塊",
    "為什麼扣了我的錢",
    "請幫我查帳單",
    "確認支付五百元",
)

CATEGORIES = (
    "zero_width",
    "bidi",
    "slash_payload",
    "leading_space",
    "combining",
    "lone_surrogate",
    "control",
    "emoji",
    "long",
    "traditional",
    "number",
    "mixed",
)


@dataclass(frozen=True)
class Text:
    """A message as a customer could type it."""

    category: str
    text: str
    typed_payload: bool = False  # an intent payload no button offers: must never be acted on


def _sprinkle(rng: random.Random, text: str, pool: Sequence[str], times: int) -> str:
    chars = list(text)
    for _ in range(times):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(pool))
    return "".join(chars)


def slash_payload(rng: random.Random, core: Optional[str] = None) -> Text:
    """A typed intent payload behind a look-alike slash and a leading space of some kind."""
    typed = core is None or core in ENTITY_PAYLOADS
    core = core or rng.choice(ENTITY_PAYLOADS)
    text = rng.choice(LEADING) + rng.choice(SLASHES) + core + rng.choice(("", "", " ", "\u200b", "吗", "\u3000"))
    return Text("slash_payload", text, typed_payload=typed)


def hostile_text(rng: random.Random, category: str) -> Text:
    base = rng.choice(CHINESE + TRADITIONAL)
    if category == "zero_width":
        return Text(category, _sprinkle(rng, base, ZERO_WIDTH, rng.randint(1, 8)))
    if category == "bidi":
        return Text(category, rng.choice(BIDI) + _sprinkle(rng, base, BIDI, rng.randint(1, 4)))
    if category == "slash_payload":
        return slash_payload(rng)
    if category == "leading_space":
        return Text(category, rng.choice(LEADING) * rng.randint(1, 5) + base + rng.choice(LEADING))
    if category == "combining":
        return Text(
            category, "".join(char + "".join(rng.choice(COMBINING) for _ in range(rng.randint(1, 30))) for char in base)
        )
    if category == "lone_surrogate":
        return Text(category, _sprinkle(rng, base, SURROGATES, rng.randint(1, 3)))
    if category == "control":
        return Text(category, _sprinkle(rng, base, CONTROLS, rng.randint(1, 6)))
    if category == "emoji":
        return Text(category, _sprinkle(rng, base, EMOJI, rng.randint(1, 6)))
    if category == "long":
        length = rng.choice((499, 500, 501, 600, 2000, 20000, 60000))
        filler = rng.choice(("啊", "a", "😀", "１", "9", base, "\u0301"))
        return Text(category, (base + filler * length)[:length])
    if category == "traditional":
        return Text(category, rng.choice(TRADITIONAL))
    if category == "number":
        number = rng.choice(NUMBERS)
        return Text(
            category,
            rng.choice(("{}", "充{}元", "交{}块话费", "{}元", "金额：{}", "给13900139000充{}元")).format(number),
        )
    # mixed: several tricks at once
    text = slash_payload(rng)
    mixed = _sprinkle(rng, text.text, ZERO_WIDTH + BIDI + EMOJI + SURROGATES, rng.randint(1, 4))
    return Text(category, mixed, typed_payload=False)


def hostile_texts(rng: random.Random, count: int) -> List[Text]:
    """`count` messages, every category in turn (so each is present once count >= len(CATEGORIES))."""
    return [hostile_text(rng, CATEGORIES[index % len(CATEGORIES)]) for index in range(count)]


def all_slash_payloads(core: str) -> List[str]:
    """`core` behind every slash variant (with no leading space), then behind the ASCII and the
    full-width slash after every kind of leading space."""
    variants = [slash + core for slash in SLASHES]
    variants += [lead + slash + core for lead in LEADING if lead for slash in ("/", "／")]
    return variants


# ---------------------------------------------------------------------------------------------
# Inputs inside conversation states
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateInput:
    state: str  # payment_summary | amount_question | cancel_confirmation
    text: str
    typed_payload: bool  # an intent payload no button offers there: nothing may come of it


SUMMARY_CORES = (
    'affirm{"amount":"500"}',
    'inform{"pay_confirmed":true}',
    'inform{"pay_confirmed": true, "amount": "500"}',
    'affirm{"amount": "500", "pay_confirmed": true}',
    'inform{"amount":"500"}',
    'affirm@1.0{"amount":"500"}',
)
AMOUNT_CORES = (
    'inform{"amount":"1E+999990"}',
    'inform{"amount":"1E+999999"}',
    'inform{"amount":"NaN"}',
    'inform{"amount":"500","pay_confirmed":true}',
)
CANCEL_CORES = (
    'inform{"cancel_confirmed":true}',
    'affirm{"cancel_confirmed":true}',
    'affirm{"cancel_subscription_id":"1"}',
)


def state_inputs(rng: random.Random, summary: int = 24, amount: int = 16, cancel: int = 8) -> List[StateInput]:
    """Hostile answers at the payment summary (pay 50 元: confirmations that carry entities), at the
    amount question (huge and odd numbers, typed amounts) and at the cancellation terms.
    The issue's reproductions come first in each group."""
    found: List[StateInput] = []
    summary_texts = [
        '／affirm{"amount":"500"}',
        '/affirm{"amount":"500"}',
        '／inform{"pay_confirmed":true}',
        '\u200b/affirm{"amount":"500"}',
        '\u3000／affirm{"amount":"500"}',
    ]
    while len(summary_texts) < summary:
        summary_texts.append(rng.choice(LEADING) + rng.choice(SLASHES) + rng.choice(SUMMARY_CORES))
    found += [StateInput("payment_summary", text, True) for text in summary_texts[:summary]]
    amount_texts = [
        '／inform{"amount":"1E+999990"}',
        "1E+999990",
        "9" * 400,
        "-0",
        "NaN",
        "Infinity",
        "0.001",
        "１２３４５",
        "一亿亿亿",
        "1E+999999",
    ]
    while len(amount_texts) < amount:
        amount_texts.append(
            rng.choice(
                (rng.choice(NUMBERS)[:450], rng.choice(LEADING) + rng.choice(SLASHES) + rng.choice(AMOUNT_CORES))
            )
        )
    found += [
        StateInput("amount_question", text, any(s in text for s in ("inform{", "affirm{")))
        for text in amount_texts[:amount]
    ]
    cancel_texts = ['／inform{"cancel_confirmed":true}', '\u200b/affirm{"cancel_confirmed":true}']
    while len(cancel_texts) < cancel:
        cancel_texts.append(rng.choice(LEADING) + rng.choice(SLASHES) + rng.choice(CANCEL_CORES))
    found += [StateInput("cancel_confirmation", text, True) for text in cancel_texts[:cancel]]
    return found


# ---------------------------------------------------------------------------------------------
# Raw HTTP requests
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpCase:
    category: str  # body | nesting | size | encoding | content_type | headers | auth | method
    name: str
    body: bytes = b""
    headers: Tuple[Tuple[str, str], ...] = ()
    auth: str = "good"  # good | bad | none
    method: str = "POST"
    expect: str = REFUSED


def nested(depth: int, kind: str = "list") -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def gzip_bomb(megabytes: int = 10) -> bytes:
    """`megabytes` MB of zeros, gzip-compressed (about 10 KB for 10 MB)."""
    return gzip.compress(b"\0" * (megabytes * 1024 * 1024), compresslevel=9)


def deflate_bomb(megabytes: int = 10) -> bytes:
    return zlib.compress(b"\0" * (megabytes * 1024 * 1024), 9)


_BOMBS: Dict[str, bytes] = {}


def _bomb(kind: str) -> bytes:
    """Compressed once per process: the same bytes for every case."""
    if kind not in _BOMBS:
        _BOMBS[kind] = gzip_bomb() if kind == "gzip" else deflate_bomb()
    return _BOMBS[kind]


def _json(value: object, ascii_only: bool = True) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def body_cases(message: Dict[str, object]) -> List[HttpCase]:
    """Malformed requests to a JSON endpoint whose valid body would be `message`."""
    good = _json(message)
    json_type = (("Content-Type", "application/json"),)
    two_mb = 2 * 1024 * 1024
    cases = [
        HttpCase("body", "not JSON", b"hello", json_type),
        HttpCase("body", "empty body", b"", json_type),
        HttpCase("body", "XML", b"<xml><a>1</a></xml>", json_type),
        HttpCase("body", "truncated JSON", good[:-3], json_type),
        HttpCase("body", "single quotes", b"{'sender': 'x', 'message': 'hi'}", json_type),
        HttpCase("body", "JSON null", b"null", json_type),
        HttpCase("body", "JSON true", b"true", json_type),
        HttpCase("body", "bare huge number", b"1E+999990", json_type),
        HttpCase("body", "bare NaN", b"NaN", json_type),
        HttpCase("body", "bare Infinity", b"-Infinity", json_type),
        HttpCase("body", "JSON string", b'"/affirm"', json_type),
        HttpCase("body", "empty array", b"[]", json_type),
        HttpCase("body", "array of messages", _json([message, message]), json_type),
        HttpCase("body", "invalid UTF-8", b'{"sender": "\xff\xfe", "message": "\xc0\xaf"}', json_type),
        HttpCase("body", "UTF-16 body", json.dumps(message).encode("utf-16"), json_type),
        HttpCase("body", "BOM then JSON", b"\xef\xbb\xbf" + good, json_type),
        HttpCase("body", "duplicate keys", b'{"sender":"a","sender":"b","message":"1","message":{"x":1}}', json_type),
        HttpCase("body", "NUL bytes", good.replace(b"{", b"{\0", 1), json_type),
        HttpCase(
            "body",
            "lone surrogate escapes everywhere",
            b'{"sender":"\\ud800","message":"\\udfff\\ud800"}',
            json_type,
            expect=ANY,
        ),
        HttpCase("nesting", "5,000 nested lists", nested(5000).encode(), json_type),
        HttpCase("nesting", "5,000 nested objects", nested(5000, "dict").encode(), json_type),
        HttpCase("nesting", "100,000 nested lists", nested(100000).encode(), json_type),
        HttpCase(
            "nesting",
            "message with 5,000 nested metadata",
            good[:-1] + b', "metadata": ' + nested(5000, "dict").encode() + b"}",
            json_type,
        ),
        HttpCase(
            "nesting",
            "5,000 nested lists as the message",
            good[:-1] + b', "message": ' + nested(5000).encode() + b"}",
            json_type,
        ),
        HttpCase("size", "2 MB body", good[:-1] + b', "pad": "' + b"a" * two_mb + b'"}', json_type),
        HttpCase("size", "2 MB of garbage", b"\xff" * two_mb, json_type),
        HttpCase("size", "2 MB message", _json({**message, "message": "啊" * (two_mb // 3)}), json_type),
        HttpCase("size", "70,000 keys", _json({f"k{i}": i for i in range(70000)}), json_type),
        HttpCase("encoding", "gzip JSON", gzip.compress(good), json_type + (("Content-Encoding", "gzip"),)),
        HttpCase("encoding", "deflate JSON", zlib.compress(good), json_type + (("Content-Encoding", "deflate"),)),
        HttpCase("encoding", "gzip bomb (10 MB of zeros)", _bomb("gzip"), json_type + (("Content-Encoding", "gzip"),)),
        HttpCase(
            "encoding",
            "deflate bomb (10 MB of zeros)",
            _bomb("deflate"),
            json_type + (("Content-Encoding", "deflate"),),
        ),
        HttpCase("encoding", "gzip header, plain body", good, json_type + (("Content-Encoding", "gzip"),)),
        HttpCase("encoding", "br", good, json_type + (("Content-Encoding", "br"),)),
        HttpCase(
            "encoding",
            "gzip twice",
            gzip.compress(gzip.compress(good)),
            json_type + (("Content-Encoding", "gzip, gzip"),),
        ),
        HttpCase("encoding", "unknown encoding", good, json_type + (("Content-Encoding", "x-evil"),)),
        HttpCase("content_type", "text/plain with JSON", good, (("Content-Type", "text/plain"),), expect=ANY),
        HttpCase(
            "content_type",
            "form-encoded",
            b"sender=x&message=hi",
            (("Content-Type", "application/x-www-form-urlencoded"),),
        ),
        HttpCase(
            "content_type",
            "multipart",
            b'--b\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi\r\n--b--\r\n',
            (("Content-Type", "multipart/form-data; boundary=b"),),
        ),
        HttpCase(
            "content_type",
            "JSON declared as UTF-16",
            good,
            (("Content-Type", "application/json; charset=utf-16"),),
            expect=ANY,
        ),
        HttpCase("content_type", "no content type", good, expect=ANY),
        HttpCase("headers", "100 KB header", good, json_type + (("X-Junk", "a" * 100_000),)),
        HttpCase("headers", "300 headers", good, json_type + tuple((f"X-H{i}", "v" * 50) for i in range(300))),
        HttpCase("headers", "non-ASCII header", good, json_type + (("X-Name", "\u00e9\u00ff\u00a0"),), expect=ANY),
        HttpCase("auth", "no token", good, json_type, auth="none"),
        HttpCase("auth", "wrong token", good, json_type, auth="bad"),
        HttpCase("auth", "huge token", good, json_type + (("Authorization", "Bearer " + "x" * 20000),), auth="none"),
        HttpCase("auth", "Basic scheme", good, json_type + (("Authorization", "Basic dXNlcjpwYXNz"),), auth="none"),
        HttpCase("auth", "empty Bearer", good, json_type + (("Authorization", "Bearer "),), auth="none"),
        HttpCase("method", "PUT", good, json_type, method="PUT"),
        HttpCase("method", "DELETE", b"", (), method="DELETE"),
    ]
    return cases


# ---------------------------------------------------------------------------------------------
# WeChat
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeChatCase:
    category: str  # text | signature | timestamp | downgrade | xml | aes
    name: str
    # aes | plain (the body is the message itself, no encrypt_type) | unencrypted (encrypt_type=aes,
    # signed, but the body is the message itself)
    mode: str = "aes"
    text: Optional[str] = None  # a text message with this Content, or...
    xml: Optional[bytes] = None  # ...this body as it is ({openid}, {now}, {msg_id} filled in)
    encrypt: Optional[str] = None  # aes: this <Encrypt> value instead of the encrypted message
    signature: str = "good"  # good | bad | missing | uppercase
    msg_signature: str = "good"  # aes: good | bad | missing
    timestamp: str = "fresh"  # fresh | stale | future | garbage | missing
    app_id: Optional[str] = None  # aes: encrypt for this AppID instead
    expect: str = REFUSED
    typed_payload: bool = False  # the text is an intent payload no button offers


def text_message_xml(openid: str, text: str, now: int, msg_id: int) -> bytes:
    cdata = "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return (
        f"<xml><ToUserName><![CDATA[gh_operator]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>{cdata}</Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    ).encode("utf-8", "surrogatepass")


_HEAD = "<ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>{now}</CreateTime>"
XML_BODIES: Tuple[Tuple[str, bytes], ...] = (
    (
        "billion laughs",
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;'
        b'&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><ToUserName>gh</ToUserName>'
        b"<FromUserName>{openid}</FromUserName><CreateTime>{now}</CreateTime><MsgType>text</MsgType>"
        b"<Content>&c;</Content><MsgId>{msg_id}</MsgId></xml>",
    ),
    (
        "external entity",
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml>'
        b"<ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName>"
        b"<CreateTime>{now}</CreateTime>"
        b"<MsgType>text</MsgType><Content>&x;</Content><MsgId>{msg_id}</MsgId></xml>",
    ),
    (
        "lowercase doctype",
        b"<!doctype xml><xml>" + _HEAD.encode() + b"<MsgType>text</MsgType><Content>hi</Content></xml>",
    ),
    ("parameter entity", b'<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x"> %p;]><xml></xml>'),
    ("not XML", b"this is not xml at all"),
    ("empty body", b""),
    ("truncated", b"<xml><Content>broken"),
    ("wrong root", b"<message>" + _HEAD.encode() + b"<MsgType>text</MsgType><Content>hi</Content></message>"),
    (
        "no FromUserName",
        b"<xml><ToUserName>gh</ToUserName><CreateTime>{now}</CreateTime><MsgType>text</MsgType>"
        b"<Content>hi</Content><MsgId>{msg_id}</MsgId></xml>",
    ),
    (
        "no CreateTime",
        b"<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName><MsgType>text</MsgType>"
        b"<Content>hi</Content><MsgId>{msg_id}</MsgId></xml>",
    ),
    (
        "CreateTime not a number",
        b"<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName>"
        b"<CreateTime>1E+999990</CreateTime><MsgType>text</MsgType>"
        b"<Content>hi</Content></xml>",
    ),
    ("no MsgType", b"<xml>" + _HEAD.encode() + b"<Content>hi</Content><MsgId>{msg_id}</MsgId></xml>"),
    ("nested 5,000 deep", b"<xml>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</xml>"),
    (
        "Content as elements",
        b"<xml>" + _HEAD.encode() + b"<MsgType>text</MsgType><Content><b>/affirm</b></Content>"
        b"<MsgId>{msg_id}</MsgId></xml>",
    ),
    (
        "70 KB Content",
        b"<xml>"
        + _HEAD.encode()
        + b"<MsgType>text</MsgType><Content>"
        + b"a" * 70000
        + b"</Content><MsgId>{msg_id}</MsgId></xml>",
    ),
    (
        "invalid UTF-8",
        b"<xml>" + _HEAD.encode() + b"<MsgType>text</MsgType><Content>\xff\xfe\xc0\xaf</Content>"
        b"<MsgId>{msg_id}</MsgId></xml>",
    ),
    ("UTF-16 declared", '<?xml version="1.0" encoding="utf-16"?><xml><MsgType>text</MsgType></xml>'.encode("utf-16")),
    (
        "control characters",
        b"<xml>" + _HEAD.encode() + b"<MsgType>text</MsgType><Content>\x00\x01\x1b</Content>"
        b"<MsgId>{msg_id}</MsgId></xml>",
    ),
    (
        "processing instruction",
        b'<?xml-stylesheet href="http://127.0.0.1:1/x"?><xml>'
        + _HEAD.encode()
        + b"<MsgType>text</MsgType><Content>hi</Content><MsgId>{msg_id}</MsgId></xml>",
    ),
    ("10,000 fields", b"<xml>" + b"".join(b"<F%d>x</F%d>" % (i, i) for i in range(10000)) + b"</xml>"),
    ("JSON instead of XML", b'{"MsgType":"text","Content":"/affirm"}'),
)

BAD_ENCRYPT = (
    ("not base64", "!!!not base64!!!"),
    ("empty", ""),
    ("base64 of 15 bytes", base64.b64encode(b"x" * 15).decode()),
    ("base64 without padding", base64.b64encode(b"x" * 32).decode().rstrip("=")),
    ("base64 of random blocks", base64.b64encode(bytes(range(256)) * 2).decode()),
    ("base64 with spaces", " ".join(base64.b64encode(b"y" * 48).decode())),
    ("2 MB of base64", "A" * (2 * 1024 * 1024)),
    ("URL-safe alphabet", base64.urlsafe_b64encode(b"\xfb\xff" * 24).decode()),
)


def wechat_cases(rng: random.Random, texts: Sequence[Text]) -> List[WeChatCase]:
    """Text messages sent in every way WeChat could (and could not) deliver them, then the protocol's
    own hostile cases."""
    cases: List[WeChatCase] = []
    for index, message in enumerate(texts):
        # Content of a WeChat text message is UTF-8 XML: control characters and lone surrogates make
        # the XML invalid; the server must refuse it (4xx), not fail.
        # A Content of more than 64 KB is refused too (WeChat's own limit is 2,048 bytes).
        xml_safe = message.category not in ("control", "lone_surrogate", "mixed", "long")
        answered = ANSWERED if xml_safe else ANY
        roll = index % 10
        if roll < 4:
            cases.append(
                WeChatCase(
                    "text",
                    f"aes text ({message.category})",
                    "aes",
                    message.text,
                    expect=answered,
                    typed_payload=message.typed_payload,
                )
            )
        elif roll < 6:
            cases.append(
                WeChatCase("downgrade", f"plain text while safe mode is on ({message.category})", "plain", message.text)
            )
        elif roll == 6:
            cases.append(
                WeChatCase(
                    "signature",
                    f"unsigned plain text ({message.category})",
                    "plain",
                    message.text,
                    signature=rng.choice(("bad", "missing", "uppercase")),
                )
            )
        elif roll == 7:
            cases.append(
                WeChatCase(
                    "signature",
                    f"aes text, bad msg_signature ({message.category})",
                    "aes",
                    message.text,
                    msg_signature=rng.choice(("bad", "missing")),
                )
            )
        elif roll == 8:
            cases.append(
                WeChatCase(
                    "timestamp",
                    f"aes text, odd timestamp ({message.category})",
                    "aes",
                    message.text,
                    timestamp=rng.choice(("stale", "future", "garbage", "missing")),
                )
            )
        else:
            cases.append(
                WeChatCase(
                    "signature",
                    f"aes text, unsigned URL ({message.category})",
                    "aes",
                    message.text,
                    signature=rng.choice(("bad", "missing")),
                )
            )
    for name, body in XML_BODIES:
        # Well-formed messages with an odd Content may be answered in safe mode (as an empty text).
        harmless = name in ("Content as elements", "processing instruction")
        cases.append(WeChatCase("xml", f"aes: {name}", "aes", xml=body, expect=ANY if harmless else REFUSED))
        cases.append(WeChatCase("xml", f"plain: {name}", "plain", xml=body))
    for name, encrypted in BAD_ENCRYPT:
        cases.append(WeChatCase("aes", f"Encrypt {name}", "aes", encrypt=encrypted))
    cases.append(WeChatCase("aes", "encrypted for another AppID", "aes", "你好", app_id="wx_attacker_000000"))
    cases.append(WeChatCase("aes", "plain body with encrypt_type=aes", "unencrypted", "你好"))
    for core in ('affirm{"amount":"500"}', 'inform{"pay_confirmed":true}', "restart"):
        for variant in all_slash_payloads(core)[:6]:
            cases.append(
                WeChatCase(
                    "text", f"aes typed payload {variant!r}", "aes", variant, expect=ANSWERED, typed_payload=True
                )
            )
    return cases


def _pkcs7_encrypt(key: bytes, plain: bytes) -> bytes:
    pad = 32 - len(plain) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()


def encrypt(aes_key: str, app_id: str, message: bytes, random_prefix: bytes) -> str:
    """WeChat's safe-mode encryption of raw bytes (which need not be valid UTF-8)."""
    key = base64.b64decode(aes_key + "=")
    plain = random_prefix + struct.pack(">I", len(message)) + message + app_id.encode()
    return base64.b64encode(_pkcs7_encrypt(key, plain)).decode()


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8", "surrogatepass")).hexdigest()


def wechat_request(
    case: WeChatCase,
    *,
    token: str,
    aes_key: str,
    app_id: str,
    openid: str,
    msg_id: int,
    now: int,
    nonce: str,
    random_prefix: bytes,
) -> Tuple[Dict[str, str], bytes]:
    """The query parameters and body of `case` as delivered at `now` (pure)."""
    timestamp = {
        "fresh": str(now),
        "stale": str(now - 3600),
        "future": str(now + 3600),
        "garbage": "1E+999990",
        "missing": "",
    }[case.timestamp]
    if case.xml is not None:
        message = (
            case.xml.replace(b"{openid}", openid.encode())
            .replace(b"{now}", str(now).encode())
            .replace(b"{msg_id}", str(msg_id).encode())
        )
    else:
        message = text_message_xml(openid, case.text or "", now, msg_id)
    params = {"timestamp": timestamp, "nonce": nonce, "openid": openid}
    good_signature = sha1_signature(token, timestamp, nonce)
    params["signature"] = {"good": good_signature, "bad": "0" * 40, "uppercase": good_signature.upper(), "missing": ""}[
        case.signature
    ]
    if not params["signature"]:
        del params["signature"]
    if not params["timestamp"]:
        del params["timestamp"]
    if case.mode == "plain":
        return params, message
    if case.mode == "unencrypted":
        params.update(encrypt_type="aes", msg_signature=sha1_signature(token, timestamp, nonce))
        return params, message
    encrypted = (
        case.encrypt if case.encrypt is not None else encrypt(aes_key, case.app_id or app_id, message, random_prefix)
    )
    params["encrypt_type"] = "aes"
    if case.msg_signature != "missing":
        good = sha1_signature(token, timestamp, nonce, encrypted)
        params["msg_signature"] = good if case.msg_signature == "good" else "f" * 40
    body = f"<xml><ToUserName><![CDATA[gh_operator]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return params, body.encode()


# ---------------------------------------------------------------------------------------------
# socket.io (Engine.IO long-polling packets, sent raw after a genuine handshake)
# ---------------------------------------------------------------------------------------------


def socketio_packets() -> List[Tuple[str, bytes]]:
    """(name, body) of Engine.IO polling POSTs carrying odd Socket.IO packets."""

    def event(payload: str) -> bytes:
        return ("42" + payload).encode("utf-8", "surrogatepass")

    return [
        ("5,000 nested lists as the event", event(nested(5000))),
        ("5,000 nested lists as the message", event('["user_uttered",{"message":' + nested(5000) + "}]")),
        ("5,000 nested objects as the data", event('["user_uttered",' + nested(5000, "dict") + "]")),
        ("message is a list", event('["user_uttered",{"message":["/affirm"]}]')),
        ("message is a number", event('["user_uttered",{"message":1E+999990}]')),
        ("message NaN", event('["user_uttered",{"message":NaN}]')),
        ("data is a string", event('["user_uttered","/affirm"]')),
        ("no data", event('["user_uttered"]')),
        ("unknown event", event('["__proto__",{"message":"x"}]')),
        ("session_request with a list", event('["session_request",[1,2,3]]')),
        ("session_request with 100 KB id", event('["session_request",{"session_id":"' + "a" * 100_000 + '"}]')),
        ("lone surrogate escapes", event('["user_uttered",{"message":"\\ud800\\udfff/affirm"}]')),
        ("invalid JSON", event('["user_uttered",{"message":')),
        ("invalid UTF-8", b'42["user_uttered",{"message":"\xff\xfe"}]'),
        ("unknown engine.io packet type", b"9garbage"),
        ("unknown socket.io packet type", b"4Zgarbage"),
        ("binary attachment claim", b'451-["user_uttered",{"_placeholder":true,"num":0}]'),
        ("1 MB message", event('["user_uttered",{"message":"' + "a" * (1024 * 1024) + '"}]')),
        ("empty body", b""),
        ("record separators", b'42["user_uttered",{"message":"a"}]\x1e' * 200),
    ]
