"""bot/rasa/patches.py: the action server's answers are checked exactly as Rasa checks them."""

from unittest import mock

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from bot.rasa import patches as rasa_patches

GOOD = [
    {"events": [{"event": "slot", "name": "phone", "value": "13800138000"}], "responses": [{"text": "您好"}]},
    {"events": [], "responses": []},
    {},
]
BAD = [
    {"events": "not a list"},
    {"responses": [1, 2]},
    {"events": [{"no_event_key": 1}]},
]


def stock(result):
    try:
        validate(result, RemoteAction.action_response_format_spec())
        return True
    except ValidationError:
        return False


@pytest.fixture
def patched():
    original = RemoteAction._validate_action_result
    rasa_patches._installed = False
    rasa_patches.install()
    yield RemoteAction("action_x", None)
    RemoteAction._validate_action_result = original
    rasa_patches._installed = False


@pytest.mark.parametrize("result", GOOD)
def test_valid_answers_pass_as_with_rasa(patched, result):
    assert stock(result) is True
    assert patched._validate_action_result(result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_answers_fail_as_with_rasa(patched, result):
    assert stock(result) is False
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patched._validate_action_result(result)


def test_installed_once(patched):
    installed = RemoteAction._validate_action_result
    rasa_patches.install()
    assert RemoteAction._validate_action_result is installed is rasa_patches._validate_action_result


async def test_a_failing_action_server_is_told_to_the_customer(patched):
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.load.ports import free_port

    domain = Domain.from_dict(
        {"responses": {"utter_action_server_down": [{"text": "系统出了点问题"}]}, "actions": ["action_check_balance"]}
    )
    action = RemoteAction("action_check_balance", EndpointConfig(url=f"http://127.0.0.1:{free_port()}/webhook"))
    output = CollectingOutputChannel()
    events = await action.run(
        output, TemplatedNaturalLanguageGenerator(domain.responses), DialogueStateTracker.from_events("c1", []), domain
    )
    assert [(type(e), e.text) for e in events] == [(BotUttered, "系统出了点问题")]


def test_the_rasa_app_gets_our_request_limits_once(patched):
    import rasa.core.run
    from sanic import Sanic

    rasa_patches._installed = False
    rasa_patches.install()  # a second install does not wrap twice
    Sanic.test_mode = True
    app = rasa.core.run.configure_app([], enable_api=False)
    assert app.config.REQUEST_MAX_SIZE == rasa_patches.RASA_MAX_BODY_BYTES == 1024 * 1024
    assert [m.__qualname__ for m in app.request_middleware].count("install.<locals>.limits") == 1


def test_models_fine_tuned_or_without_a_prediction_example_load_as_with_rasa():
    calls = []

    class Fake:
        @classmethod
        def load(cls, model_file_name, model_data_example, predict_data_example=None, finetune_mode=False, **kwargs):
            calls.append((cls, model_file_name, model_data_example, predict_data_example, finetune_mode, kwargs))
            return "rasa's"

    Fake.load = rasa_patches._inference_load(Fake.__dict__["load"])
    assert Fake.load("m.tf", "example", "predict", True, config={"a": 1}) == "rasa's"
    assert Fake.load("m.tf", "example", None, False, config={}) == "rasa's"
    assert calls == [
        (Fake, "m.tf", "example", "predict", True, {"config": {"a": 1}}),
        (Fake, "m.tf", "example", None, False, {"config": {}}),
    ]


def test_rasa_models_load_for_prediction_once_installed(patched):
    from rasa.utils.tensorflow.models import RasaModel

    rasa_patches._installed = False
    rasa_patches.install()  # a second time: not wrapped twice
    load = RasaModel.__dict__["load"]
    assert load.inference_only
    assert not getattr(load.__func__.__wrapped__, "inference_only", False)


FORM_DOMAIN = """
version: "3.1"
intents: [check_balance, inform, restart]
entities: [phone_number]
slots:
  phone_number: {type: text, mappings: [{type: from_entity, entity: phone_number}]}
  verified: {type: bool, initial_value: false, mappings: [{type: custom}]}
  topic: {type: categorical, values: [bill, data], mappings: [{type: custom}]}
forms:
  identity_form: {required_slots: [phone_number]}
actions: [action_check, validate_identity_form]
responses:
  utter_ask_phone_number: [{text: 请提供手机号}]
"""


def _form_conversations():
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        EntitiesAdded,
        Restarted,
        SlotSet,
        UserUttered,
    )

    def ask(intent, entities=()):
        return [ActionExecuted("action_listen"), UserUttered("13800138000", {"name": intent}, list(entities))]

    phone = {"entity": "phone_number", "value": "13800138000", "start": 0, "end": 11}
    opened = [
        *ask("check_balance"),
        SlotSet("topic", "bill"),
        ActionExecuted("identity_form"),
        ActiveLoop("identity_form"),
        SlotSet("requested_slot", "phone_number"),
        BotUttered("请提供手机号", metadata={"utter_action": "utter_ask_phone_number"}),
        *ask("inform", [phone]),
    ]
    restarted = [*ask("check_balance"), SlotSet("verified", True), ActionExecuted("action_check"), Restarted()]
    return [
        opened,
        [*restarted, *opened],
        [*restarted, *opened, EntitiesAdded([phone])],
        [*opened[:-2], ActionExecuted("action_listen")],  # nothing said yet after the question
    ]


@pytest.mark.parametrize("events", _form_conversations())
def test_a_form_s_validation_tracker_is_the_replay_rasa_builds(patched, events):
    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    domain = Domain.from_yaml(FORM_DOMAIN)
    tracker = DialogueStateTracker.from_events("c1", events, slots=domain.slots)
    form = FormAction("identity_form", None)
    added = [SlotSet("phone_number", "13800138000")]
    with mock.patch("time.time", return_value=1_800_000_000.0):  # the events both add: the same time
        ours = FormAction._temporary_tracker(form, tracker, added, domain)
        rasa = FormAction._temporary_tracker.__wrapped__(form, tracker, added, domain)
    assert ours is not tracker and ours.slots is not tracker.slots
    assert ours.current_state(EventVerbosity.ALL) == rasa.current_state(EventVerbosity.ALL)
    assert {name: (s.value, s.has_been_set) for name, s in ours.slots.items()} == {
        name: (s.value, s.has_been_set) for name, s in rasa.slots.items()
    }
    for attribute in ("_paused", "followup_action", "latest_action", "active_loop", "model_id", "sender_source"):
        assert getattr(ours, attribute) == getattr(rasa, attribute), attribute
    assert (ours.latest_message, ours.latest_bot_utterance) == (rasa.latest_message, rasa.latest_bot_utterance)
    call = RemoteAction("validate_identity_form", None)
    assert call._action_call_format(ours, domain) == call._action_call_format(rasa, domain)
    assert list(tracker.events) == events  # the conversation's own tracker is unchanged
