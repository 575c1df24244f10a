"""bot/services/retention/tracker.py: retention and one customer's conversations in Rasa's tracker
store, on SQLite and PostgreSQL."""

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.services.retention import tracker as conversations

DAY = 86400.0
NOW = 1_800_000_000.0
CUTOFF = NOW - 180 * DAY


def session(at, *texts):
    """A session started at `at`, with one customer message a minute later for each text."""
    events = [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at)]
    for index, said in enumerate(texts, 1):
        events.append(UserUttered(said, {"name": "inform", "confidence": 0.9}, timestamp=at + 60 * index))
        events.append(BotUttered("好的", timestamp=at + 60 * index + 1))
    return events


async def test_purge_deletes_idle_conversations_and_ended_sessions_only(tracker):
    await tracker.save("idle", session(NOW - 200 * DAY, "查话费"))
    # Session one long over; session two started before the cut-off but is still in use.
    await tracker.save(
        "active",
        session(NOW - 300 * DAY, "查话费")
        + session(NOW - 190 * DAY, "交话费")
        + [UserUttered("还在吗", timestamp=NOW - DAY)],
    )
    await tracker.save("recent", session(NOW - 10 * DAY, "你好"))

    assert conversations.purge(tracker.url, CUTOFF) == 4 + 4
    assert tracker.rows() == [
        ("active", "action", NOW - 190 * DAY),
        ("active", "session_started", NOW - 190 * DAY),
        ("active", "user", NOW - 190 * DAY + 60),
        ("active", "bot", NOW - 190 * DAY + 61),
        ("active", "user", NOW - DAY),
        ("recent", "action", NOW - 10 * DAY),
        ("recent", "session_started", NOW - 10 * DAY),
        ("recent", "user", NOW - 10 * DAY + 60),
        ("recent", "bot", NOW - 10 * DAY + 61),
    ]
    assert conversations.purge(tracker.url, CUTOFF) == 0  # idempotent
    again = await tracker.store.retrieve("active")  # Rasa still replays the session in progress
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["交话费", "还在吗"]


async def test_find_and_delete_one_customers_conversations(tracker):
    await tracker.save("web-1", session(NOW, "帮我查 138 0013 8000 的话费"))
    await tracker.save("web-2", session(NOW) + [SlotSet("phone_number", "13800138000", timestamp=NOW + 5)])
    await tracker.save("wx:oAbCdEfGh01", session(NOW, "查余额"))
    await tracker.save("web-3", session(NOW, "帮我查 13900139000 的话费"))

    found = conversations.find(tracker.url, "13800138000", ["wx:oAbCdEfGh01", "wx:not-stored"])
    assert sorted(found) == ["web-1", "web-2", "wx:oAbCdEfGh01"]
    assert [e["event"] for e in found["web-2"]] == ["action", "session_started", "slot"]
    assert [e.get("text") for e in found["web-1"] if e["event"] == "user"] == ["帮我查 138 0013 8000 的话费"]
    assert conversations.find(tracker.url, "13700000000") == {}

    assert conversations.delete(tracker.url, sorted(found)) == 4 + 3 + 4
    assert {row[0] for row in tracker.rows()} == {"web-3"}
    assert conversations.delete(tracker.url, sorted(found)) == 0


def test_a_store_rasa_has_not_created_yet_has_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert (
        conversations.purge(url, CUTOFF),
        conversations.find(url, "13800138000", ["x"]),
        conversations.delete(url, ["x"]),
    ) == (0, {}, 0)


def test_spellings_of_a_number():
    assert conversations.spellings("13800138000") == ["13800138000", "138 0013 8000", "138-0013-8000"]
