"""Settings of the retention job, read once from the environment by `load_settings()`."""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from bot.core.env import SettingsError, port, secret, url

__all__ = ["RetentionSettings", "SettingsError", "load_settings", "retention_days"]

DEFAULT_DAYS = 180
MOST_DAYS = 3650


@dataclass(frozen=True)
class RetentionSettings:
    days: int  # conversations, transcripts and exports older than this are deleted
    tracker_url: str  # SQLAlchemy URL of Rasa's tracker store
    handoff_url: str
    handoff_token: str
    exports_dir: Path  # trainers' review exports (python -m bot review --out, default review/)
    interval_s: float = 24 * 3600.0  # a run at start, then one a day
    retry_s: float = 3600.0  # after a failed run
    host: str = "127.0.0.1"
    port: int = 8092  # /health only


def retention_days(text: Optional[str]) -> int:
    """TELEBOT_RETENTION_DAYS: a whole number of days from 1 to 3650; 180 when unset."""
    if text is None or text == "":
        return DEFAULT_DAYS
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MOST_DAYS:
        raise SettingsError(
            f"TELEBOT_RETENTION_DAYS must be a whole number of days from 1 to {MOST_DAYS}, not {text!r}"
        )
    return int(text)


def load_settings(environ: Optional[Mapping[str, str]] = None) -> RetentionSettings:
    env = os.environ if environ is None else environ
    tracker_url = env.get("TRACKER_DB_URL") or (
        f"sqlite:///{env['TRACKER_DB_PATH']}" if env.get("TRACKER_DB_PATH") else ""
    )
    if not tracker_url:
        raise SettingsError(
            "TRACKER_DB_URL (PostgreSQL) or TRACKER_DB_PATH (SQLite) must say where the tracker store is"
        )
    return RetentionSettings(
        days=retention_days(env.get("TELEBOT_RETENTION_DAYS")),
        tracker_url=tracker_url,
        handoff_url=url(env, "HANDOFF_URL", "http://127.0.0.1:8090"),
        handoff_token=secret(env, "HANDOFF_API_TOKEN"),
        exports_dir=Path(env.get("TELEBOT_EXPORTS_DIR", "review")),
        host=env.get("RETENTION_HOST", "127.0.0.1"),
        port=port(env, "RETENTION_PORT", 8092, any_free=True),
    )
