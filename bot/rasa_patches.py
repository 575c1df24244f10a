"""Measured fixes to Rasa 3.6 itself, installed by our launcher (bot/rasa_server.py), never at import.

- Every answer of the action server is checked against Rasa's response schema with
  `jsonschema.validate`, which first re-validates the schema itself against the JSON-Schema
  meta-schema and builds a new validator: a third of a Rasa process's CPU under load (py-spy,
  `python -m bot loadtest`). The same check runs here with one validator, built and checked once.
"""

import functools
from typing import Any, Dict

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


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    _installed = True
