"""Settings of the action server, read once by `load_settings()` when its clients are first built."""

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from bot.clients.base import Endpoint
from bot.core.env import SettingsError, seconds, url

__all__ = ["ActionSettings", "SettingsError", "load_settings"]


@dataclass(frozen=True)
class ActionSettings:
    operator: Endpoint  # the operator backend (bot/services/operator, or the real systems)
    desk: Endpoint  # the handoff service (bot/services/desk); an empty url: no human handoff


def load_settings(environ: Optional[Mapping[str, str]] = None) -> ActionSettings:
    env = os.environ if environ is None else environ
    token = env.get("OPERATOR_API_TOKEN", "")
    if not token:
        raise SettingsError("OPERATOR_API_TOKEN must be set for the action server to reach the operator backend")
    timeout = seconds(env, "OPERATOR_TIMEOUT_S", 3.0)
    return ActionSettings(
        operator=Endpoint("operator backend", url(env, "OPERATOR_URL", "http://127.0.0.1:8088"), token, timeout),
        desk=Endpoint(
            "handoff service",
            url(env, "HANDOFF_URL") if env.get("HANDOFF_API_TOKEN") else "",
            env.get("HANDOFF_API_TOKEN", ""),
            timeout,
        ),
    )
