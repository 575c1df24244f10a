"""Settings of the operator backend, read once from the environment by `load_settings()`."""

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from bot.core.env import SettingsError, port, secret

__all__ = ["BackendSettings", "SettingsError", "load_settings"]


@dataclass(frozen=True)
class BackendSettings:
    database_url: str
    api_token: str
    host: str = "127.0.0.1"
    port: int = 8088


def load_settings(environ: Optional[Mapping[str, str]] = None) -> BackendSettings:
    env = os.environ if environ is None else environ
    return BackendSettings(
        database_url=env.get("OPERATOR_DB_URL", "sqlite:///var/operator.db"),
        api_token=secret(env, "OPERATOR_API_TOKEN"),
        host=env.get("OPERATOR_HOST", "127.0.0.1"),
        port=port(env, "OPERATOR_PORT", 8088, any_free=True),
    )
