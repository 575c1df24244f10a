"""The SQL tracker store keeps no service password; a failing store stops the conversation."""

import json
import sqlite3

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.core.privacy import PASSWORD_MARKER
from bot.rasa import patches as rasa_patches
from bot.rasa import tracker_store as rasa_tracker_store
from bot.rasa.tracker_memo import memo_of
from bot.rasa.tracker_store import (
    PrivateSQLTrackerStore,
    TrackerStoreUnavailable,
    handoff_flags,
    handoff_names,
    redacted_events,
    tracker_handoff_flags,
)

PASSWORD = "864213"


def conversation():
    return [
        ActionExecuted("action_listen"),
        UserUttered(
            "查话费 13800138000",
            {"name": "check_balance", "confidence": 0.99},
            [{"entity": "phone_number", "value": "13800138000", "start": 3, "end": 14}],
        ),
        SlotSet("requested_slot", "service_password"),
        BotUttered("请输入服务密码"),
        ActionExecuted("action_listen"),
        UserUttered(
            f"密码是{PASSWORD}",
            {"name": "inform", "confidence": 0.9},
            [{"entity": "service_password", "value": PASSWORD, "start": 3, "end": 9}],
        ),
        SlotSet("service_password", PASSWORD),
        SlotSet("service_password", PASSWORD_MARKER),
        SlotSet("requested_slot", None),
        ActionExecuted("action_listen"),
        UserUttered("一二三四五六", {"name": "inform", "confidence": 0.5}),
    ]


def test_redacted_events_mask_the_password_turn_and_only_it():
    events = conversation()
    stored = [item.as_dict() for item in redacted_events(events, 0)]
    assert len(stored) == len(events)
    assert stored[1]["text"] == "查话费 13800138000"
    assert stored[5]["text"] == PASSWORD_MARKER
    assert stored[5]["parse_data"]["entities"][0]["value"] == PASSWORD_MARKER
    assert [stored[6]["value"], stored[7]["value"]] == [PASSWORD_MARKER, PASSWORD_MARKER]
    assert stored[10]["text"] == "一二三四五六"  # requested_slot was reset: an ordinary message
    assert events[5].text == f"密码是{PASSWORD}"  # the live events are untouched


def test_redacted_events_from_an_offset_use_the_earlier_events_as_context():
    stored = redacted_events(conversation(), 5)
    assert [item.type_name for item in stored][:2] == ["user", "slot"]
    assert stored[0].as_dict()["text"] == PASSWORD_MARKER


async def test_private_sql_tracker_store_writes_no_password(tmp_path):
    path = tmp_path / "tracker.db"
    store = PrivateSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker.from_events("c1", conversation()[:6])
    await store.save(tracker)
    for event in conversation()[6:]:
        tracker.update(event)
    await store.save(tracker)  # the second save adds only the new events

    rows = sqlite3.connect(path).execute("select data from events order by id").fetchall()
    assert len(rows) == len(conversation())
    assert all(PASSWORD not in data for (data,) in rows)
    assert PASSWORD not in path.read_bytes().decode("utf-8", "replace")
    again = await store.retrieve("c1")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == [
        "查话费 13800138000",
        PASSWORD_MARKER,
        "一二三四五六",
    ]


def wrong_question_conversation():
    """A password typed where the bot asked something else: echoed back, kept in a slot."""
    return [
        ActionExecuted("action_listen"),
        UserUttered("查话费", {"name": "check_balance", "confidence": 0.99}),
        SlotSet("requested_slot", "phone_number"),
        BotUttered("请提供您的11位手机号码"),
        ActionExecuted("action_listen"),
        UserUttered(
            "86 42 13",
            {"name": "inform", "confidence": 0.6},
            [{"entity": "amount", "value": "86 42 13", "start": 0, "end": 8}],
        ),
        BotUttered(
            "“86 42 13”不是有效的11位手机号码，请重新输入，例如 13800138000。",
            metadata={"utter_action": "utter_invalid_phone_number", "value": "86 42 13"},
        ),
        ActionExecuted("action_listen"),
        UserUttered("８６４２１３", {"name": "inform", "confidence": 0.6}),
        BotUttered(
            f"“{PASSWORD}”不是有效的11位手机号码，请重新输入，例如 13800138000。",
            metadata={"utter_action": "utter_invalid_phone_number", "value": PASSWORD},
        ),
        SlotSet("requested_slot", "fault_description"),
        ActionExecuted("action_listen"),
        UserUttered(f"宽带断了 {PASSWORD}", {"name": "inform", "confidence": 0.6}),
        SlotSet("fault_description", f"宽带断了 {PASSWORD}"),
        SlotSet("pay_key", f"pay-{PASSWORD}-0f3a"),  # machine-made: read back exactly next turn
    ]


async def test_a_password_typed_at_the_wrong_question_is_stored_nowhere(tmp_path):
    path = tmp_path / "tracker.db"
    store = PrivateSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    await store.save(DialogueStateTracker.from_events("c1", wrong_question_conversation()))

    rows = [data for (data,) in sqlite3.connect(path).execute("select data from events order by id")]
    assert len(rows) == len(wrong_question_conversation())
    stored = [row for row in rows if "pay_key" not in row]
    assert all(PASSWORD not in data and "86 42 13" not in data and "８６４２１３" not in data for data in stored)
    again = (await store.retrieve("c1")).events
    assert [e.text for e in again if isinstance(e, UserUttered)] == [
        "查话费",
        "** ** **",
        PASSWORD_MARKER,
        "宽带断了 ******",
    ]
    assert [e.text for e in again if isinstance(e, BotUttered)][1:] == [
        "“** ** **”不是有效的11位手机号码，请重新输入，例如 13800138000。",
        "“******”不是有效的11位手机号码，请重新输入，例如 13800138000。",
    ]
    assert [e.metadata.get("value") for e in again if isinstance(e, BotUttered)] == [None, "** ** **", PASSWORD_MARKER]
    assert [e.value for e in again if isinstance(e, SlotSet)][-2:] == ["宽带断了 ******", f"pay-{PASSWORD}-0f3a"]
    entity = [e for e in again if isinstance(e, UserUttered)][1].entities[0]
    assert entity["value"] == "** ** **"


class BrokenStore(TrackerStore):
    async def retrieve(self, sender_id):
        raise OSError("connection refused")

    async def save(self, tracker):
        raise OSError("connection refused")

    async def keys(self):
        raise OSError("connection refused")


@pytest.fixture
def patched():
    rasa_patches.install()


async def test_a_failing_tracker_store_raises_instead_of_forgetting_the_conversation(patched):
    store = FailSafeTrackerStore(BrokenStore(Domain.empty()))
    with pytest.raises(TrackerStoreUnavailable):
        await store.retrieve("c1")
    with pytest.raises(TrackerStoreUnavailable):
        await store.save(DialogueStateTracker.from_events("c1", []))
    with pytest.raises(TrackerStoreUnavailable):
        await store.keys()


# --- the channels' handoff question, from event type names -------------------------------------


def reference_flags(events):
    """The flags from the whole tracker as the store retrieves it (the events since the last session start)."""
    starts = [i for i, event in enumerate(events) if isinstance(event, SessionStarted)]
    return tracker_handoff_flags(DialogueStateTracker.from_events("c", events[starts[-1] :] if starts else events))


def test_tracker_handoff_flags_read_the_events_since_the_last_message():
    paused = [UserUttered("转人工"), ConversationPaused(), UserUttered("在吗")]
    assert tracker_handoff_flags(DialogueStateTracker.from_events("c", paused)) == (True, False)
    back = paused + [ConversationResumed(), BotUttered("我们继续")]
    assert tracker_handoff_flags(DialogueStateTracker.from_events("c", back)) == (False, True)
    assert tracker_handoff_flags(DialogueStateTracker.from_events("c", back + [UserUttered("好")])) == (False, False)


EVENT_KINDS = {
    "listen": lambda: ActionExecuted("action_listen"),
    "user": lambda: UserUttered("你好", {"name": "greet", "confidence": 1.0}),
    "bot": lambda: BotUttered("您好"),
    "slot": lambda: SlotSet("phone_number", "13800138000"),
    "pause": ConversationPaused,
    "resume": ConversationResumed,
    "restart": Restarted,
    "session": SessionStarted,
}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(EVENT_KINDS)), max_size=25))
def test_handoff_flags_agree_with_the_replayed_tracker(kinds):
    events = [EVENT_KINDS[kind]() for kind in kinds]
    assert handoff_flags(event.type_name for event in reversed(events)) == reference_flags(events)


@pytest.mark.parametrize(
    "names, expected",
    [
        ([], (False, False)),
        (["user", "listen", "pause"], (True, False)),  # a message while with an agent
        (["resume", "bot", "user", "pause"], (False, True)),  # handed back since the last message
        (["user", "resume", "user", "pause"], (False, False)),  # handed back, then a message: nothing waits
        (["pause", "user", "resume", "pause"], (True, False)),
        (["session_started", "pause"], (False, False)),  # a new session is not paused
        (["user", "restart", "pause"], (False, False)),
        (["user", "rewind", "pause"], None),  # the tracker replays: only the whole tracker tells
    ],
)
def test_handoff_flags_cases(names, expected):
    assert handoff_flags(names) == expected


async def test_private_sql_tracker_store_answers_the_handoff_state_from_type_names(tmp_path):
    store = PrivateSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert await store.handoff_state("nobody") == (False, False)
    tracker = DialogueStateTracker.from_events("c1", conversation())
    await store.save(tracker)
    assert await store.handoff_state("c1") == (False, False)
    for event in (ConversationPaused(), ActionExecuted("action_listen"), UserUttered("还在吗")):
        tracker.update(event)
    await store.save(tracker)
    assert await store.handoff_state("c1") == (True, False)
    for event in (ConversationResumed(), BotUttered("我们继续")):
        tracker.update(event)
    await store.save(tracker)
    assert await store.handoff_state("c1") == (False, True)
    assert await store.handoff_state("c1") == reference_flags((await store.retrieve("c1")).events)


STORED_KINDS = {**EVENT_KINDS, "rewind": UserUtteranceReverted, "undo": ActionReverted}


def every_type_name(events):
    """What the store read before: every user event and mark, newest first."""
    return [e.type_name for e in reversed(events) if e.type_name in ("user", *rasa_tracker_store.HANDOFF_MARKS)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(sorted(STORED_KINDS)), max_size=70), st.sampled_from([1, 4, 32]))
@example(["resume", "user"], 32)  # a hand-back before the latest message: nothing waits
@example(["pause", "user", "resume", "bot", "user", "listen"], 1)  # more marks than read: every name
async def test_the_handoff_state_read_from_the_newest_rows_is_the_one_from_every_row(kinds, marks_read):
    import tempfile
    from pathlib import Path
    from unittest import mock

    events = [STORED_KINDS[kind]() for kind in kinds]
    with tempfile.TemporaryDirectory() as work:
        store = PrivateSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(Path(work) / "t.db"))
        tracker = DialogueStateTracker("c1", [])
        for event in events:
            tracker.events.append(event)  # as stored, without applying them
        await store.save(tracker)
        with mock.patch.object(rasa_tracker_store, "MARKS_READ", marks_read):  # few: every name read again
            assert await store.handoff_state("c1") == handoff_flags(every_type_name(events))


def test_handoff_names_keep_the_newest_user_event_among_the_marks():
    assert handoff_names([(7, "user")], [(9, "resume"), (5, "pause"), (1, "session_started")]) == [
        "resume",
        "user",
        "pause",
        "session_started",
    ]
    assert handoff_names([], [(3, "pause")]) == ["pause"]
    assert handoff_names([(2, "user")], []) == ["user"]


@pytest.fixture
def patched_rasa():
    rasa_patches._installed = False
    rasa_patches.install()
    yield
    rasa_patches._installed = False


@pytest.mark.parametrize("sender_id", ["\ud800", "a\udfffb"])  # lone surrogates: no driver can encode them
async def test_a_sender_id_the_database_cannot_take_fails_that_request_not_the_server(
    tmp_path, patched_rasa, sender_id
):
    # Rasa's own session_scope read the driver's UnicodeEncodeError (a ValueError) as a missing
    # PostgreSQL schema and called sys.exit: one REST message stopped the server for everyone.
    store = FailSafeTrackerStore(PrivateSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db")))
    for call in (store.handoff_state(sender_id), store.retrieve(sender_id)):
        with pytest.raises(TrackerStoreUnavailable):
            await call
    assert await store.handoff_state("c1") == (False, False)  # the store goes on serving the others


# --- incremental reads: the cache (bot/rasa/tracker_cache.py) -----------------------------------

CACHE_DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [check_balance, inform]
slots:
  requested_slot: {type: any, mappings: [{type: custom}]}
  service_password: {type: text, mappings: [{type: custom}]}
  phone_number: {type: text, mappings: [{type: custom}]}
forms:
  identity_form: {required_slots: [phone_number]}
"""
)


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        self.now += 1.0
        return self.now


def chunk(kind, clock):
    """The events one message adds, of a few kinds that matter to a replay and to the redaction."""
    t = clock
    listen = ActionExecuted("action_listen", timestamp=t())
    if kind == "ask_password":
        return [
            listen,
            UserUttered("查话费", {"name": "check_balance", "confidence": 0.9}, timestamp=t()),
            ActionExecuted("identity_form", timestamp=t()),
            ActiveLoop("identity_form", timestamp=t()),
            SlotSet("requested_slot", "service_password", timestamp=t()),
            BotUttered("请输入服务密码", timestamp=t()),
        ]
    if kind == "password":
        return [
            listen,
            UserUttered(PASSWORD, {"name": "inform", "confidence": 0.8}, timestamp=t()),
            SlotSet("service_password", PASSWORD, timestamp=t()),
            SlotSet("requested_slot", None, timestamp=t()),
            ActiveLoop(None, timestamp=t()),
        ]
    if kind == "pause":
        return [listen, UserUttered("转人工", {"name": "human", "confidence": 1.0}, timestamp=t()),
                ConversationPaused(timestamp=t())]  # fmt: skip
    if kind == "resume":
        return [ConversationResumed(timestamp=t()), BotUttered("我们继续", timestamp=t())]
    if kind == "session":
        return [ActionExecuted("action_session_start", timestamp=t()), SessionStarted(timestamp=t()),
                ActionExecuted("action_listen", timestamp=t())]  # fmt: skip
    return [listen, UserUttered(f"你好 {kind}", {"name": "inform", "confidence": 0.5}, timestamp=t()),
            SlotSet("phone_number", "13800138000", timestamp=t()), BotUttered("您好", timestamp=t())]  # fmt: skip


def stored_rows(path):
    rows = sqlite3.connect(path).execute("select sender_id, type_name, data from events order by id").fetchall()
    return [
        (sender, name, {k: v for k, v in json.loads(data).items() if k != "timestamp"}) for sender, name, data in rows
    ]


def state(tracker):
    return None if tracker is None else tracker.current_state(EventVerbosity.ALL)


async def play(ops, tmp_path, cache_size):
    """Two replicas of the store on one database, taking the messages as `ops` say; after each the
    state a cold read (Rasa's, no cache) finds and the one the replica that served it hands out."""
    path = tmp_path / f"t{cache_size}.db"
    replicas = [
        PrivateSQLTrackerStore(CACHE_DOMAIN, dialect="sqlite", db=str(path), conversation_cache=cache_size)
        for _ in range(2)
    ]
    cold = PrivateSQLTrackerStore(CACHE_DOMAIN, dialect="sqlite", db=str(path), conversation_cache=0)
    clock, seen = Clock(), []
    for replica, kind in ops:
        store = replicas[replica]
        if kind == "erase":
            sqlite3.connect(path).execute("delete from events where sender_id = 'c1'").connection.commit()
            seen.append(("erased", state(await store.retrieve("c1"))))
            continue
        tracker = await store.retrieve("c1") or DialogueStateTracker("c1", CACHE_DOMAIN.slots)
        for event in chunk(kind, clock):
            tracker.update(event)
        await store.save(tracker)
        served = await store.retrieve("c1")
        seen.append((state(served), state(await cold.retrieve("c1"))))
        if served is not None:  # what the policies read of it: as Rasa computes it on a cold read
            assert memo_of(served).past_states(served, CACHE_DOMAIN, window=1000) == Reference.from_events(
                "c1", list((await cold.retrieve("c1")).events), CACHE_DOMAIN.slots
            ).past_states(CACHE_DOMAIN)
    return seen, stored_rows(path)


class Reference(DialogueStateTracker):
    """Rasa's own computation: bot/rasa/patches.py leaves every subclass (training's trackers) alone."""


KINDS = ["hello", "ask_password", "password", "pause", "resume", "session", "erase"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.sampled_from(KINDS)), min_size=1, max_size=14))
async def test_the_cache_hands_out_what_a_whole_read_would_and_stores_what_rasa_would(ops):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as work:
        cached, cached_rows = await play(ops, Path(work), cache_size=8)
        uncached, uncached_rows = await play(ops, Path(work), cache_size=0)
    for after, (served, cold) in zip(ops, cached, strict=True):
        if after[1] != "erase":
            assert served == cold, after
    assert cached_rows == uncached_rows
    assert all(PASSWORD not in json.dumps(data) for _, _, data in cached_rows)


async def test_a_message_reads_only_what_was_stored_since_the_last_one(tmp_path):
    path = tmp_path / "tracker.db"
    store = PrivateSQLTrackerStore(CACHE_DOMAIN, dialect="sqlite", db=str(path))
    other = PrivateSQLTrackerStore(CACHE_DOMAIN, dialect="sqlite", db=str(path))
    clock = Clock()
    tracker = DialogueStateTracker("c1", CACHE_DOMAIN.slots)
    for kind in ("hello", "ask_password"):
        for event in chunk(kind, clock):
            tracker.update(event)
    await store.save(tracker)
    first = await store.retrieve("c1")  # read whole once, then kept
    served = await other.retrieve("c1")  # another replica takes the next message
    for event in chunk("password", clock):
        served.update(event)
    await other.save(served)

    statements = []
    from sqlalchemy import event as sa_event

    sa_event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    again = await store.retrieve("c1")
    assert len(again.events) == len(first.events) + len(chunk("password", Clock()))
    assert again.latest_message.text == PASSWORD_MARKER  # the other replica's events, as stored
    reads = [sql for sql in statements if "FROM events" in sql]
    assert len(reads) == 1 and "events.id >=" in reads[0]  # one query, from the newest event known on
    assert store.cache.get("c1").tracker is not again  # never the cached tracker itself


async def test_a_new_model_s_domain_empties_the_cache(tmp_path):
    store = PrivateSQLTrackerStore(CACHE_DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events("c1", chunk("hello", Clock()), CACHE_DOMAIN.slots)
    await store.save(tracker)
    await store.retrieve("c1")
    assert len(store.cache) == 1
    store.domain = Domain.empty()
    assert len(store.cache) == 0
