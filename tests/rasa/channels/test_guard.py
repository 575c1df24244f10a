"""The message guard in front of every customer channel."""

import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from redis import asyncio as aioredis

from bot.core.kv import MemoryKV, RedisKV
from bot.rasa.channels.guard import (
    SLASHES,
    MessageGuard,
    RateLimiter,
    Verdict,
    button_payloads,
    clean,
    examine,
    numbered_choice,
    offered_payloads,
    slash_lead,
)
from bot.rasa.nlu.lexicon import load_lexicon
from bot.rasa.nlu.text_normaliser import normalise_text
from bot.rasa.tracker_store import TrackerStoreUnavailable
from tests.rasa.nlu.conftest import LEXICON_PATH
from tests.support import REDIS_URL, redis_client

RESPONSES = {
    "utter_ask_fault_type": [
        {
            "text": "哪种故障？",
            "buttons": [
                {"title": "断网", "payload": '/inform{"fault_type": "断网"}'},
                {"title": "其他", "payload": "其他"},
            ],
        }
    ],
    "utter_rate_limited": [{"text": "您发送消息太频繁了，请稍等 {retry_after} 秒再试。"}],
    "utter_message_too_long": [{"text": "最多 {max_chars} 个字"}],
    "utter_message_empty": [{"text": "没有收到文字内容"}],
    "utter_conversation_store_down": [{"text": "系统正在维护"}],
}
PAYLOADS = button_payloads(RESPONSES)


def test_button_payloads_are_the_intent_payloads_of_the_domain():
    assert PAYLOADS == frozenset({'/inform{"fault_type": "断网"}'})


@pytest.mark.parametrize(
    "raw, verdict",
    [
        ("查话费", Verdict(text="查话费")),
        ("  查\n话费\t", Verdict(text="查 话费")),
        ("查\x00话\x1b费", Verdict(text="查话费")),
        ("", Verdict(response="utter_message_empty")),
        ("   \n", Verdict(response="utter_message_empty")),
        (None, Verdict(response="utter_message_empty")),
        (b"\xff\xfe", Verdict(response="utter_message_empty")),
        ("😀😀", Verdict(text="😀😀")),
        ("x" * 501, Verdict(response="utter_message_too_long", values={"max_chars": 500})),
        ("话" * 500, Verdict(text="话" * 500)),
        ('/inform{"fault_type": "断网"}', Verdict(text='/inform{"fault_type": "断网"}')),
        ('/inform{"pay_confirmed": true}', Verdict(text='inform{"pay_confirmed": true}')),
        ("//affirm", Verdict(text="affirm")),
        ("/", Verdict(response="utter_message_empty")),
        ("\ud800查", Verdict(text="?查")),
    ],
)
def test_examine(raw, verdict):
    assert examine(raw, PAYLOADS) == verdict


INJECTED = 'affirm{"amount":"500"}'
LOOK_ALIKES = [
    "/",
    "\uff0f",
    "\u2044",
    "\u2215",
    "\u29f8",
    "\u2571",
    "\u27cb",
    "\u2afd",
    "\u2afb",
    "\u2e4a",
    "\U0001f67c",
    "\u2f03",
    "\u4e3f",
    "\u31d3",
    "\u30ce",
    "\uff89",
    "\u1735",
    "\u0338",
]
LEADS = [
    "",
    " ",
    "\u3000",
    "\u00a0",
    "\u2003",
    "\u200b",
    "\ufeff",
    "\u2060",
    "\u200d",
    "\u202e",
    "\u180e",
    "\t\u3000\u200b ",
]


@pytest.mark.parametrize("slash", LOOK_ALIKES)
@pytest.mark.parametrize("lead", LEADS)
def test_examine_drops_every_slash_look_alike_behind_any_lead(lead, slash):
    assert examine(lead + slash + INJECTED, PAYLOADS) == Verdict(text=INJECTED)


@pytest.mark.parametrize(
    "raw, text",
    [
        ("\uff0f\uff0faffirm", "affirm"),
        ("/ /affirm", "affirm"),  # the old lstrip("/").strip() passed "/affirm" on
        ("\uff0f \u3000\u200b/affirm", "affirm"),
        ('\u200b/inform{"pay_confirmed": true}', 'inform{"pay_confirmed": true}'),
        ("/\u0338affirm", "affirm"),  # a combining solidus overlay
        ('／inform{"fault_type": "断网"}', 'inform{"fault_type": "断网"}'),  # a payload's look-alike is text
        ('\u200b/inform{"fault_type": "断网"}', '/inform{"fault_type": "断网"}'),  # exactly the payload, once cleaned
        ("查询 /affirm", "查询 /affirm"),  # a slash inside is text
        ("1/2", "1/2"),
        ("\\affirm", "\\affirm"),  # a backslash is not an intent to Rasa
        ("\u2100", "\u2100"),  # ℀ folds to "a/c": not a slash lead
        ("\uff0f\u3000", None),
    ],
)
def test_examine_hostile_leads(raw, text):
    verdict = examine(raw, PAYLOADS)
    assert verdict == (Verdict(text=text) if text is not None else Verdict(response="utter_message_empty"))


def test_slash_lead():
    assert [slash_lead(t) for t in ("/a", " \u3000／／ b", "ab", " a/", "", "\u200b")] == [1, 5, 0, 0, 0, 0]


def test_clean_removes_format_characters():
    assert clean("\ufeff查\u200b话\u2060费\u200e") == "查话费"


LEXICON = load_lexicon(LEXICON_PATH)
hostile_text = st.one_of(
    st.text(),
    st.text(
        alphabet=st.sampled_from(sorted({c for c in LOOK_ALIKES + LEADS if len(c) == 1} | SLASHES | set('aF{}"1查 '))),
        max_size=12,
    ),
)


def _starts_like_a_slash(text):
    folded = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf").lstrip()
    return bool(folded) and folded[0] in SLASHES


@given(hostile_text)
def test_examine_never_passes_an_injected_intent_or_a_control_character(text):
    verdict = examine(text, PAYLOADS)
    if verdict.text:
        assert verdict.text in PAYLOADS or not _starts_like_a_slash(verdict.text)
        # ... nor does the NLU graph's normaliser make one of it
        assert verdict.text in PAYLOADS or not normalise_text(verdict.text, LEXICON.typos).strip().startswith("/")
        assert 0 < len(verdict.text) <= 500
        assert all(ord(char) >= 32 and char != "\x7f" for char in verdict.text)
        verdict.text.encode("utf-8")  # no lone surrogate left
    else:
        assert verdict.response in ("utter_message_empty", "utter_message_too_long")


@given(st.binary())
def test_clean_takes_anything(data):
    assert clean(data) == ""
    assert isinstance(clean(data.decode("latin-1")), str)


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


async def test_rate_limit_counts_per_conversation_in_fixed_windows():
    clock = Clock(60 * 16667 + 20.0)  # 20 s into a 60 s window
    limiter = RateLimiter(MemoryKV(), "t", limit=3, window_s=60, clock=clock)
    assert [await limiter.admit("a") for _ in range(3)] == [None, None, None]
    assert await limiter.admit("a") == 41
    assert await limiter.admit("b") is None  # another conversation has its own count
    clock.now += 40  # the next window
    assert await limiter.admit("a") is None


async def test_rate_limit_in_redis_is_shared_by_replicas():
    redis_client()  # skips (or fails in CI) without Redis
    client = aioredis.Redis.from_url(REDIS_URL)
    clock, namespace = Clock(), f"guard-test-{uuid.uuid4().hex}"
    one = RateLimiter(RedisKV(client), namespace, limit=2, window_s=60, clock=clock)
    two = RateLimiter(RedisKV(client), namespace, limit=2, window_s=60, clock=clock)
    assert [await one.admit("a"), await two.admit("a")] == [None, None]
    assert await one.admit("a") is not None
    await client.close()


class App:
    class ctx:
        class agent:
            class domain:
                responses = RESPONSES


def guard(limit=30):
    g = MessageGuard(RateLimiter(MemoryKV(), "t", limit=limit, window_s=60))
    g.bind(App)
    return g


def message(text):
    return UserMessage(text, CollectingOutputChannel(), "c1", input_channel="rest")


async def test_guard_passes_the_cleaned_text_on():
    seen = []

    async def handler(m):
        seen.append(m.text)

    await guard().handle(message(" /affirm "), handler)
    assert seen == ["affirm"]


async def test_guard_answers_too_fast_senders_without_calling_rasa():
    seen, g = [], guard(limit=1)

    async def handler(m):
        seen.append(m.text)

    first, second = message("查话费"), message("查话费")
    await g.handle(first, handler)
    await g.handle(second, handler)
    assert seen == ["查话费"]
    assert second.output_channel.messages[0]["text"].startswith("您发送消息太频繁了，请稍等 ")


async def test_guard_answers_long_and_empty_messages():
    async def handler(m):
        raise AssertionError("Rasa must not be called")

    long, empty = message("话" * 600), message("\x00 ")
    await guard().handle(long, handler)
    await guard().handle(empty, handler)
    assert long.output_channel.messages[0]["text"] == "最多 500 个字"
    assert empty.output_channel.messages[0]["text"] == "没有收到文字内容"


async def test_guard_lets_channel_made_intents_through():
    seen = []

    async def handler(m):
        seen.append(m.text)

    await guard().handle(message("/unsupported_message"), handler, typed=False)
    assert seen == ["/unsupported_message"]


async def test_guard_tells_the_customer_when_the_conversation_cannot_be_stored():
    async def handler(m):
        raise TrackerStoreUnavailable("down")

    m = message("交50块话费")
    await guard().handle(m, handler)
    assert [item["text"] for item in m.output_channel.messages] == ["系统正在维护"]


def test_offered_payloads_are_the_buttons_sent_since_the_last_message():
    from rasa.shared.core.events import BotUttered, UserUttered

    rate = [{"title": "5分", "payload": '/rate{"satisfaction_score": "5"}'}]
    old = [{"title": "确认退订", "payload": "/affirm"}]
    events = [
        BotUttered("退订？", {"buttons": old}),
        UserUttered("算了"),
        BotUttered("满意吗？", {"buttons": rate}),
        BotUttered("还有别的吗"),
    ]
    assert offered_payloads(events) == frozenset({'/rate{"satisfaction_score": "5"}'})
    assert offered_payloads([]) == frozenset()


async def texts_passed_on(bot_said, texts):
    """What a guard over a conversation where the bot said `bot_said` passes on to Rasa for `texts`."""
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    store = InMemoryTrackerStore(Domain.empty())
    await store.save(DialogueStateTracker.from_events("c1", [bot_said]))

    class StoreApp:
        class ctx:
            class agent:
                domain = App.ctx.agent.domain
                tracker_store = store

    g = MessageGuard(RateLimiter(MemoryKV(), "t"))
    g.bind(StoreApp)
    seen = []

    async def handler(m):
        seen.append(m.text)

    for text in texts:
        await g.handle(message(text), handler)
    return seen


async def test_guard_lets_a_button_offered_in_the_conversation_through_and_nothing_else():
    from rasa.shared.core.events import BotUttered

    rate = '/rate{"satisfaction_score": "5"}'
    seen = await texts_passed_on(
        BotUttered("满意吗？", {"buttons": [{"payload": rate}]}),
        (rate, '/rate{"satisfaction_score": "1"}', '/inform{"fault_type": "断网"}'),
    )
    assert seen == [rate, 'rate{"satisfaction_score": "1"}', '/inform{"fault_type": "断网"}']


RATE_BUTTONS = [
    {"title": f"{score}分", "payload": f'/rate{{"satisfaction_score": "{score}"}}'} for score in (5, 4, 3, 2, 1)
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5", '/rate{"satisfaction_score": "5"}'),
        ("５", '/rate{"satisfaction_score": "5"}'),
        (" 1 ", '/rate{"satisfaction_score": "1"}'),
        ("6", None),  # no such button
        ("50", None),  # "5分" is not "50"
        ("5分", None),  # not a bare number: the model reads it
        ("五", None),
        ("", None),
    ],
)
def test_a_bare_number_is_the_offered_button_with_that_number(text, expected):
    from rasa.shared.core.events import BotUttered

    assert numbered_choice(text, [BotUttered("满意吗？", {"buttons": RATE_BUTTONS})]) == expected


def test_a_bare_number_answers_only_buttons_offered_since_the_last_message():
    from rasa.shared.core.events import BotUttered, UserUttered

    asked = BotUttered("满意吗？", {"buttons": RATE_BUTTONS})
    assert numbered_choice("5", [asked, UserUttered("谢谢"), BotUttered("不客气")]) is None
    assert numbered_choice("5", [BotUttered("请选择", {"buttons": [{"title": "5元", "payload": "https://x"}]})]) is None
    assert numbered_choice("5", []) is None


async def test_guard_passes_a_bare_number_on_as_the_button_it_chooses():
    from rasa.shared.core.events import BotUttered

    seen = await texts_passed_on(BotUttered("满意吗？", {"buttons": RATE_BUTTONS}), ("4", "50", "查话费"))
    assert seen == ['/rate{"satisfaction_score": "4"}', "50", "查话费"]
