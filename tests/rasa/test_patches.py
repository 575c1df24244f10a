"""bot/rasa/patches.py: the action server's answers are checked exactly as Rasa checks them."""

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
