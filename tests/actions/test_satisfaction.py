"""The satisfaction question and storing the rating in the backend."""

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.satisfaction import ActionRecordSatisfaction, ask_satisfaction
from tests.actions.conftest import make_tracker, responses


def test_the_question_is_not_asked_while_another_form_runs():
    dispatcher = CollectingDispatcher()
    assert ask_satisfaction(dispatcher, make_tracker(active_loop="pay_form"), "balance") == []
    assert dispatcher.messages == []
    events = ask_satisfaction(dispatcher, make_tracker(), "balance")
    assert events == [SlotSet("satisfaction_task", "balance")]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]][0] == '/rate{"satisfaction_score": "5"}'


async def rate(backend, domain, slots, text, entities=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots, text=text, intent="rate", entities=entities)
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
