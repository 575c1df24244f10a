"""Settings of the action server, read once by `load_settings()` when the backend client is first built."""

import os
from dataclasses import dataclass
from typing import Mapping, Optional


class SettingsError(ValueError):
    """A setting is missing or invalid; the message says which."""


@dataclass(frozen=True)
class ActionSettings:
    backend_url: str
    backend_token: str
    backend_timeout_s: float = 3.0
    handoff_url: str = ""  # the handoff service (bot/handoff); empty: no human handoff
    handoff_token: str = ""


def load_settings(environ: Optional[Mapping[str, str]] = None) -> ActionSettings:
    env = os.environ if environ is None else environ
    token = env.get("OPERATOR_API_TOKEN", "")
    if not token:
        raise SettingsError("OPERATOR_API_TOKEN must be set for the action server to reach the operator backend")
    try:
        timeout = float(env.get("OPERATOR_TIMEOUT_S", "3"))
    except ValueError:
        raise SettingsError("OPERATOR_TIMEOUT_S must be a number of seconds") from None
    return ActionSettings(
        backend_url=env.get("OPERATOR_URL", "http://127.0.0.1:8088").rstrip("/"),
        backend_token=token,
        backend_timeout_s=timeout,
        handoff_url=env.get("HANDOFF_URL", "").rstrip("/"),
        handoff_token=env.get("HANDOFF_API_TOKEN", ""),
    )
