"""Settings of the operator backend, read once from the environment by `load_settings()`."""

import os
from dataclasses import dataclass
from typing import Mapping, Optional


class SettingsError(ValueError):
    """A setting is missing or invalid; the message says which and what to do."""


@dataclass(frozen=True)
class BackendSettings:
    database_url: str
    api_token: str
    host: str = "127.0.0.1"
    port: int = 8088


def load_settings(environ: Optional[Mapping[str, str]] = None) -> BackendSettings:
    env = os.environ if environ is None else environ
    token = env.get("OPERATOR_API_TOKEN", "")
    if len(token) < 16:
        raise SettingsError("OPERATOR_API_TOKEN must be set to a secret of at least 16 characters")
    port_text = env.get("OPERATOR_PORT", "8088")
    if not port_text.isdigit() or not 0 <= int(port_text) < 65536:
        raise SettingsError(f"OPERATOR_PORT must be a port number, not {port_text!r}")
    return BackendSettings(
        database_url=env.get("OPERATOR_DB_URL", "sqlite:///var/operator.db"),
        api_token=token,
        host=env.get("OPERATOR_HOST", "127.0.0.1"),
        port=int(port_text),
    )
