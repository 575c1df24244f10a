"""The satisfaction question once the customer is done, and storing the rating in the backend."""

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.satisfaction import (
    ActionIdleRating,
    ActionRecordSatisfaction,
    ActionWrapUp,
    await_rating,
    question_state,
)
from tests.actions.conftest import RATING_ASKED, make_tracker, responses


def user(text):
    return {"event": "user", "text": text}


def bot(utter_action):
    return {"event": "bot", "text": "…", "metadata": {"utter_action": utter_action}}


ASKED = bot("utter_ask_satisfaction")


def test_a_done_task_awaits_its_rating_without_asking():
    assert await_rating(make_tracker(active_loop="pay_form"), "balance") == []  # another task goes on
    assert await_rating(make_tracker(), "balance") == [SlotSet("satisfaction_task", "balance")]


def on_channel(channel, slots=None, events=(), paused=False):
    tracker = make_tracker(slots)
    tracker.events = [{"event": "user", "text": "查话费", "input_channel": channel}, *events]
    tracker._paused = paused  # as Rasa sends it for a conversation an agent has
    return tracker


def test_on_a_channel_that_can_be_pushed_to_silence_also_brings_the_question():
    import datetime as dt

    from rasa_sdk.events import ReminderScheduled

    now = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.timezone.utc)
    for channel in ("socketio", "wechat"):
        assert await_rating(on_channel(channel), "balance", now=now) == [
            SlotSet("satisfaction_task", "balance"),
            ReminderScheduled(
                "EXTERNAL_idle_rating",
                dt.datetime(2026, 11, 22, 2, 3, tzinfo=dt.timezone.utc),
                name="idle_rating",
                kill_on_user_message=True,
            ),
        ]
    assert await_rating(on_channel("rest"), "balance", now=now) == [SlotSet("satisfaction_task", "balance")]


async def idle(tracker):
    dispatcher = CollectingDispatcher()
    events = await ActionIdleRating().run(dispatcher, tracker, {})
    return events, dispatcher


async def test_after_the_silence_the_rating_is_asked_once():
    events, dispatcher = await idle(
        on_channel("socketio", {"satisfaction_task": "balance"}, [bot("utter_balance_money")])
    )
    assert events == []
    assert [m.get("response") for m in dispatcher.messages] == ["utter_idle_rating", "utter_ask_satisfaction"]
    assert [b["title"] for b in dispatcher.messages[1]["buttons"]] == ["5分", "4分", "3分", "2分", "1分"]


@pytest.mark.parametrize(
    "slots, events, paused",
    [
        ({}, [bot("utter_balance_money")], False),  # nothing awaits a rating
        ({"satisfaction_task": "balance"}, [ASKED], False),  # asked already (谢谢 came first)
        ({"satisfaction_task": "handoff"}, [bot("utter_handoff_queued")], True),  # an agent has it
    ],
)
async def test_the_silence_asks_nothing_when_there_is_nothing_to_ask(slots, events, paused):
    _events, dispatcher = await idle(on_channel("socketio", slots, events, paused))
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    "events, state",
    [
        ([user("谢谢"), ASKED, user("5分")], "open"),
        ([ASKED, user("啥"), bot("utter_rating_not_understood"), user("5")], "open"),
        # The customer moved on (a balance asked and answered), then clicked the old button.
        ([ASKED, user("再查下流量"), bot("utter_balance_data"), user('/rate{"satisfaction_score": "5"}')], "stale"),
        ([user("查话费"), bot("utter_balance_money"), user("五星")], "never"),
        ([user("五星")], "never"),
    ],
)
def test_whether_the_rating_question_is_still_open(events, state):
    assert question_state(events) == state


async def wrap_up(intent, slots=None, events=()):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots, text="…", intent=intent)
    tracker.events = [*events, user("…")]
    assert await ActionWrapUp().run(dispatcher, tracker, {}) == []
    return responses(dispatcher), dispatcher.messages


@pytest.mark.parametrize(
    "intent, first",
    [("thank", "utter_glad_to_help"), ("goodbye", "utter_goodbye"), ("deny", "utter_thanks_for_asking")],
)
async def test_when_the_customer_is_done_the_task_is_rated(intent, first):
    sent, messages = await wrap_up(intent, {"satisfaction_task": "balance"}, [bot("utter_balance_money")])
    assert sent == [{"response": first}, RATING_ASKED]
    assert [b["payload"] for b in messages[1]["buttons"]] == [
        f'/rate{{"satisfaction_score": "{score}"}}' for score in (5, 4, 3, 2, 1)
    ]


@pytest.mark.parametrize(
    "intent, said", [("thank", "utter_you_are_welcome"), ("goodbye", "utter_goodbye"), ("deny", "utter_anything_else")]
)
async def test_with_nothing_to_rate_or_the_question_open_it_is_not_asked(intent, said):
    assert (await wrap_up(intent))[0] == [{"response": said}]
    asked = await wrap_up(intent, {"satisfaction_task": "balance"}, [ASKED])
    assert asked[0] == [{"response": said}]


async def rate(backend, domain, slots, text, entities=None, events=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots, text=text, intent="rate", entities=entities)
    tracker.events = [*(events if events is not None else [ASKED]), user(text)]
    events = await ActionRecordSatisfaction(backend).run(dispatcher, tracker, domain)
    summary = await backend.request("GET", "/v1/satisfaction/summary")
    return events, responses(dispatcher), summary


async def test_a_rating_is_stored_for_the_task_asked_about(backend, domain):
    slots = {"satisfaction_task": "payment", "identity_verified": True, "verified_phone": "13800138000"}
    events, sent, summary = await rate(backend, domain, slots, "5分")
    assert events == [SlotSet("satisfaction_task", None)]
    assert sent == [{"response": "utter_thanks_for_rating"}]
    assert summary["tasks"] == {
        "payment": {"count": 1, "average": 5.0, "scores": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}}
    }


async def test_a_button_rating_and_a_low_score(backend, domain):
    entities = [{"entity": "satisfaction_score", "value": "1"}]
    _, sent, summary = await rate(
        backend, domain, {"satisfaction_task": "ticket"}, '/rate{"satisfaction_score": "1"}', entities
    )
    assert sent == [{"response": "utter_sorry_low_rating"}]
    assert summary["tasks"]["ticket"]["scores"]["1"] == 1


async def test_unparseable_rating_is_asked_again_and_nothing_stored(backend, domain):
    events, sent, summary = await rate(backend, domain, {"satisfaction_task": "balance"}, "打个分")
    assert (events, sent, summary["count"]) == ([], [{"response": "utter_rating_not_understood"}], 0)


async def test_an_old_rating_button_stops_acting_once_the_conversation_moved_on(backend, domain):
    moved_on = [ASKED, user("再查下流量"), bot("utter_balance_data")]
    entities = [{"entity": "satisfaction_score", "value": "1"}]
    events, sent, summary = await rate(
        backend, domain, {"satisfaction_task": "balance"}, '/rate{"satisfaction_score": "1"}', entities, moved_on
    )
    assert (events, sent, summary["count"]) == ([], [{"response": "utter_rating_expired"}], 0)


async def test_a_rating_given_unasked_is_kept(backend, domain):
    _, sent, summary = await rate(backend, domain, {"satisfaction_task": "bill"}, "五星好评", events=[])
    assert sent == [{"response": "utter_thanks_for_rating"}]
    assert summary["tasks"]["bill"]["count"] == 1
