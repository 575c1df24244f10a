"""Settings of the handoff service, read once from the environment by `load_settings()`."""

import datetime as dt
import hmac
import os
from dataclasses import dataclass
from typing import Mapping, Optional, Tuple

from bot.core.env import SettingsError, count, flag, items, port, url

__all__ = ["HandoffSettings", "SettingsError", "load_settings"]


@dataclass(frozen=True)
class HandoffSettings:
    database_url: str
    service_token: str  # HANDOFF_API_TOKEN: the bot's actions and Rasa's channels call the service API with it
    rasa_url: str  # Rasa's handoff channel (bot/rasa/channels/desk.py): deliveries, parses for suggestions
    # HANDOFF_DELIVERY_TOKEN: the token this service shows Rasa's handoff channel — the other direction's
    # own token, and not Rasa's HTTP API token (RASA_AUTH_TOKEN), which this service never holds.
    rasa_token: str
    host: str = "127.0.0.1"
    port: int = 8090
    service_hours: Tuple[dt.time, dt.time] = (dt.time(8, 0), dt.time(22, 0))  # China time
    minutes_per_case: int = 4  # average handling time, for the expected wait
    # HANDOFF_QUEUE_TIMEOUT_MINUTES: a case nobody takes within this is closed as abandoned, and the
    # customer offered a callback or the bot's help again.
    queue_timeout_minutes: int = 5
    # The console's SLA timers, in seconds (amber, red): a case's wait in the queue, and the time a
    # customer's message has waited for an answer. HANDOFF_SLA_QUEUE_SECONDS, HANDOFF_SLA_REPLY_SECONDS.
    sla_queue_s: Tuple[int, int] = (120, 240)
    sla_reply_s: Tuple[int, int] = (60, 180)
    session_hours: int = 12
    secure_cookies: bool = False  # set true behind HTTPS
    # HANDOFF_CONSOLE_ORIGINS (comma-separated): the origins whose pages may use the console (Origin
    # check, bot/services/desk/console_security.py); empty = only the console's own (its scheme and Host).
    console_origins: Tuple[str, ...] = ()
    # HANDOFF_TRUSTED_PROXIES (comma-separated addresses): peers whose X-Forwarded-Proto and
    # X-Forwarded-For are believed (HTTPS for the Secure cookie; the client address the login throttle counts).
    trusted_proxies: Tuple[str, ...] = ()
    operator_url: str = ""  # the operator backend, for tickets queued while it was down ("" = none)
    operator_token: str = ""
    # Rasa's tracker store, only read, for the supervisors' dashboard: TRACKER_DB_URL (PostgreSQL) or
    # TRACKER_DB_PATH (SQLite, opened read-only). "" = the dashboard has no conversation figures.
    tracker_url: str = ""


def _hours(text: str) -> Tuple[dt.time, dt.time]:
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start = dt.time.fromisoformat(start_text)
        end = dt.time.max if end_text == "24:00" else dt.time.fromisoformat(end_text)
    except ValueError as error:
        raise SettingsError(f"HANDOFF_SERVICE_HOURS must look like 08:00-22:00, not {text!r}") from error
    return start, end


def _thresholds(env: Mapping[str, str], name: str, default: Tuple[int, int]) -> Tuple[int, int]:
    text = env.get(name, f"{default[0]},{default[1]}")
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2 or not all(part.isascii() and part.isdigit() for part in parts):
        raise SettingsError(f"{name} must be two numbers of seconds, amber then red (120,240), not {text!r}")
    amber, red = int(parts[0]), int(parts[1])
    if not 0 < amber < red <= 86400:
        raise SettingsError(f"{name}: amber must come before red, both within a day, not {text!r}")
    return amber, red


def _tracker(env: Mapping[str, str]) -> str:
    if env.get("TRACKER_DB_URL"):
        return env["TRACKER_DB_URL"]
    path = env.get("TRACKER_DB_PATH", "")
    return f"sqlite:///file:{path}?mode=ro&uri=true" if path else ""


def load_settings(environ: Optional[Mapping[str, str]] = None) -> HandoffSettings:
    env = os.environ if environ is None else environ
    token = env.get("HANDOFF_API_TOKEN", "")
    rasa_token = env.get("HANDOFF_DELIVERY_TOKEN", "")
    if len(token) < 16 or len(rasa_token) < 16:
        raise SettingsError("HANDOFF_API_TOKEN and HANDOFF_DELIVERY_TOKEN must be secrets of at least 16 characters")
    if hmac.compare_digest(token.encode(), rasa_token.encode()):
        raise SettingsError("HANDOFF_API_TOKEN and HANDOFF_DELIVERY_TOKEN must differ: one token for each direction")
    return HandoffSettings(
        database_url=env.get("HANDOFF_DB_URL", "sqlite:///var/handoff.db"),
        service_token=token,
        rasa_url=url(env, "RASA_URL", "http://127.0.0.1:5005"),
        rasa_token=rasa_token,
        host=env.get("AGENT_HOST", "127.0.0.1"),
        port=port(env, "AGENT_PORT", 8090, any_free=True),
        service_hours=_hours(env.get("HANDOFF_SERVICE_HOURS", "08:00-22:00")),
        minutes_per_case=count(env, "HANDOFF_MINUTES_PER_CASE", 4, 120),
        queue_timeout_minutes=count(env, "HANDOFF_QUEUE_TIMEOUT_MINUTES", 5, 120),
        sla_queue_s=_thresholds(env, "HANDOFF_SLA_QUEUE_SECONDS", (120, 240)),
        sla_reply_s=_thresholds(env, "HANDOFF_SLA_REPLY_SECONDS", (60, 180)),
        secure_cookies=flag(env, "HANDOFF_SECURE_COOKIES"),
        console_origins=items(env, "HANDOFF_CONSOLE_ORIGINS"),
        trusted_proxies=items(env, "HANDOFF_TRUSTED_PROXIES"),
        operator_url=url(env, "OPERATOR_URL"),
        operator_token=env.get("OPERATOR_API_TOKEN", ""),
        tracker_url=_tracker(env),
    )
