"""Measured fixes to Rasa 3.6 itself, installed by our launcher (bot/rasa/server.py), never at import.

- Every answer of the action server is checked against Rasa's response schema with
  `jsonschema.validate`, which first re-validates the schema itself against the JSON-Schema
  meta-schema and builds a new validator: a third of a Rasa process's CPU under load (py-spy,
  `python -m bot loadtest`). The same check runs here with one validator, built and checked once.
- When the action server cannot be reached, refuses us or fails, Rasa logs an error and the
  customer hears nothing. Here the customer is told so (`utter_action_server_down`).
- When the tracker store fails, Rasa's FailSafeTrackerStore goes on with an empty in-memory
  conversation (identity, confirmations and the payment in progress forgotten, the new events
  lost). Here it raises `TrackerStoreUnavailable` instead: the channel tells the customer that
  nothing can be done right now (bot/rasa/channels/guard.py), and no money moves on a conversation
  that is not recorded. The same holds for `handoff_state`, which FailSafeTrackerStore is given
  here so that the channels ask the store under it (bot/rasa/tracker_store.py) and fail the same way.
- Rasa's SQLTrackerStore.session_scope reads *any* ValueError raised while a session is open as a
  missing PostgreSQL schema and exits the whole server (`print_error_and_exit`): one REST message
  whose sender id the driver cannot encode (a lone surrogate, UnicodeEncodeError is a ValueError)
  stopped it for every customer. Here only the schema check before the session is used exits at
  start-up as before; an error while it is used is raised (FailSafeTrackerStore then raises
  TrackerStoreUnavailable, above), and the session is closed either way.
- Rasa sends the action server every event of the conversation, serialised again on each call:
  here the recent turns go whole and the earlier ones as the user's and bot's words only
  (bot/rasa/action_payload.py), so a call costs the same late in a long conversation.
- A form's validation action is sent a tracker Rasa builds by replaying every event of the session
  (FormAction._temporary_tracker): here a clone of the conversation's tracker takes the same events
  and state without the replay.
- Rasa loads each neural model (DIET, the ResponseSelector, TED) by training it on one example first,
  to build its variables, then loading the weights: the gradient graphs it traces for that step were
  most of a replica's start-up time and its peak memory. Here a model served for prediction (not
  fine-tuned) is built by its prediction step instead, its weights restored as its variables are
  created, and every variable it has is checked to come from the saved model.
- The Rasa server takes bodies up to RASA_MAX_BODY_BYTES (Sanic's default is 100 MB, buffered before
  any check) and refuses compressed (415) or deeply nested JSON (400) bodies (bot/core/sanic_limits.py),
  on every route: the channels, the handoff delivery and Rasa's own API. 1 MiB is far above what any
  of them takes: a channel message is at most 64 KiB, and `PUT /model` from the deployment
  (bot/ml/trainers/deploy.py) names a model file, it does not upload one.
"""

import asyncio
import functools
import logging
from typing import Any, Dict, List

logger = logging.getLogger(__name__)
RASA_MAX_BODY_BYTES = 1024 * 1024
# The states the policies are given, the latest ones: more than any policy reads (the ML policies
# their max_history, TED 5; the RulePolicy its longest rule, 4; the MemoizationPolicy its longest
# memorised turn, 8), as tests/e2e checks on the trained model. A policy's cost grows with it (the
# MemoizationPolicy, without a max_history, makes its lookup key of all the states it is given).
STATES_WINDOW = 16
ACTION_SERVER_DOWN = "utter_action_server_down"

_installed = False


@functools.lru_cache(maxsize=None)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
    from jsonschema import ValidationError, exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action endpoint "
        f"is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def _remote_action_run(original: Any) -> Any:
    from rasa.core.actions.action import ActionBotResponse, ActionExecutionRejection
    from rasa.shared.exceptions import RasaException

    @functools.wraps(original)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # a form's "that did not fill my slot": the policies go on
        except (RasaException, asyncio.TimeoutError) as error:
            logger.error("custom action %s failed: %s", self.name(), error)
            return await ActionBotResponse(ACTION_SERVER_DOWN).run(output_channel, nlg, tracker, domain)

    return run


def _fail_closed(name: str, optional: bool = False) -> Any:
    """The wrapped store's method `name`, raising TrackerStoreUnavailable when it fails; an
    `optional` one answers None when the wrapped store has no such method."""
    from bot.rasa.tracker_store import TrackerStoreUnavailable

    async def method(self: Any, *args: Any) -> Any:
        if optional and not hasattr(self._tracker_store, name):
            return None
        try:
            return await getattr(self._tracker_store, name)(*args)
        except Exception as error:  # whatever the database driver raises
            logger.error("tracker store %s failed: %r", name, error)
            raise TrackerStoreUnavailable(f"tracker store {name} failed") from error

    method.__name__ = name
    return method


def _session_scope(original: Any) -> Any:
    """SQLTrackerStore.session_scope without the exit on a ValueError raised by its caller's body."""
    import contextlib

    from rasa.core.tracker_store import ensure_schema_exists
    from rasa.shared.utils.cli import print_error_and_exit

    @contextlib.contextmanager
    def session_scope(self: Any) -> Any:
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as missing:  # as Rasa: the configured schema does not exist
                print_error_and_exit(f"Requested PostgreSQL schema '{missing}' was not found in the database.")
            yield session
        finally:
            session.close()

    session_scope.__wrapped__ = original  # type: ignore[attr-defined]
    return session_scope


def _limited_app(original: Any) -> Any:
    """rasa.core.run.configure_app, with our request limits on the app it builds."""
    from bot.core import sanic_limits

    if getattr(original, "with_limits", False):
        return original

    @functools.wraps(original)
    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        sanic_limits.install(app, RASA_MAX_BODY_BYTES)
        return app

    configure_app.with_limits = True  # type: ignore[attr-defined]
    return configure_app


def _action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
    """RemoteAction._action_call_format with the events of bot/rasa/action_payload.py."""
    import rasa
    from rasa.shared.core.trackers import EventVerbosity

    from bot.rasa.action_payload import events_for_action

    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = events_for_action(tracker.events)
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


def _inference_load(original: Any) -> Any:
    """RasaModel.load without the training step, for a model that only predicts."""

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if finetune_mode or not predict_data_example:
            return original.__func__(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        import tensorflow as tf
        from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY

        config = kwargs.get("config", {})
        model = cls(*args, **kwargs)
        model.compile(
            optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=config.get(RUN_EAGERLY)
        )
        restored = model.load_weights(model_file_name)  # each variable takes its saved value when created
        model.run_inference(predict_data_example)  # creates them, as Rasa's load does after its training step
        restored.assert_existing_objects_matched()  # none of them left with a fresh value
        restored.expect_partial()  # the optimizer's saved state: not used to predict
        return model

    load.__wrapped__ = original  # type: ignore[attr-defined]
    patched = classmethod(load)
    patched.inference_only = True  # type: ignore[attr-defined]
    return patched


def _form_temporary_tracker(original: Any) -> Any:
    """FormAction._temporary_tracker (the tracker a form's validation action is sent) without
    replaying the session: a clone of the conversation's tracker, its events those after the latest
    restart, then the events Rasa adds to them."""
    from rasa.shared.core.trackers import DialogueStateTracker

    if getattr(original, "without_replay", False):
        return original

    @functools.wraps(original)
    def _temporary_tracker(self: Any, current_tracker: Any, additional_events: List[Any], domain: Any) -> Any:
        if type(current_tracker) is not DialogueStateTracker:
            return original(self, current_tracker, additional_events, domain)
        from rasa.shared.core.constants import REQUESTED_SLOT
        from rasa.shared.core.events import ActionExecuted, SlotSet

        from bot.rasa.tracker_cache import clone

        twin = clone(current_tracker, own_latest_message=False)  # a replay shares the events too
        twin.model_id = twin.assistant_id = twin.sender_source = None  # as a new tracker's
        twin.is_rule_tracker = False
        twin._max_event_history = None
        twin.events = twin._create_events(current_tracker.events_after_latest_restart())
        added = [SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)), ActionExecuted(self.name())]
        for event in [*added, *additional_events]:
            twin.update(event)
        return twin

    _temporary_tracker.without_replay = True  # type: ignore[attr-defined]
    return _temporary_tracker


def _memoised_tracker() -> None:
    """DialogueStateTracker's applied_events, past_states and copy without walking every event of
    the session again (bot/rasa/tracker_memo.py, bot/rasa/tracker_cache.py). Only for the trackers
    of a conversation being served: training's trackers (subclasses) keep Rasa's own."""
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa import tracker_memo
    from bot.rasa.tracker_cache import clone

    original_applied = DialogueStateTracker.applied_events
    original_past = DialogueStateTracker.past_states
    original_copy = DialogueStateTracker.copy

    def applied_events(self: Any) -> List[Any]:
        if type(self) is not DialogueStateTracker:
            return original_applied(self)
        return list(tracker_memo.memo_of(self).applied_events(self))

    def past_states(
        self: Any,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Any = None,
    ) -> List[Any]:
        if type(self) is not DialogueStateTracker:
            return original_past(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        memo = tracker_memo.memo_of(self)
        return memo.past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data, STATES_WINDOW)

    def copy(self: Any) -> Any:
        """What Rasa's copy (a replay of every event) gives: the same state, events shared."""
        if type(self) is not DialogueStateTracker:
            return original_copy(self)
        twin = clone(self, own_latest_message=False)
        twin.model_id = twin.assistant_id = twin.sender_source = None  # init_copy sets none of them
        memo = self.__dict__.get("_telebot_memo")
        if memo is not None:
            tracker_memo.set_memo(twin, memo.fork())
        return twin

    applied_events.__wrapped__ = original_applied  # type: ignore[attr-defined]
    past_states.__wrapped__ = original_past  # type: ignore[attr-defined]
    copy.__wrapped__ = original_copy  # type: ignore[attr-defined]
    DialogueStateTracker.applied_events = applied_events
    DialogueStateTracker.past_states = past_states
    DialogueStateTracker.copy = copy


def install() -> None:
    global _installed
    if _installed:
        return
    import rasa.core.run
    from rasa.core.actions.action import RemoteAction
    from rasa.core.actions.forms import FormAction
    from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
    from rasa.utils.tensorflow.models import RasaModel

    rasa.core.run.configure_app = _limited_app(rasa.core.run.configure_app)  # serve_application calls it

    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction.run = _remote_action_run(RemoteAction.run)
    if RemoteAction._action_call_format is not _action_call_format:
        _action_call_format.__wrapped__ = RemoteAction._action_call_format  # type: ignore[attr-defined]
        RemoteAction._action_call_format = _action_call_format
    for name in ("retrieve", "retrieve_full_tracker", "save", "keys"):
        setattr(FailSafeTrackerStore, name, _fail_closed(name))
    FailSafeTrackerStore.handoff_state = _fail_closed("handoff_state", optional=True)
    SQLTrackerStore.session_scope = _session_scope(SQLTrackerStore.session_scope)
    if not getattr(RasaModel.__dict__["load"], "inference_only", False):
        RasaModel.load = _inference_load(RasaModel.__dict__["load"])
    FormAction._temporary_tracker = _form_temporary_tracker(FormAction._temporary_tracker)
    _memoised_tracker()
    _installed = True
