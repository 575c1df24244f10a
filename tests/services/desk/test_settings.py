"""Handoff service settings from the environment."""

import datetime as dt

import pytest

from bot.services.desk.settings import SettingsError, load_settings

TOKENS = {"HANDOFF_API_TOKEN": "h" * 20, "HANDOFF_DELIVERY_TOKEN": "d" * 20}


def test_defaults():
    settings = load_settings(TOKENS)
    assert (settings.port, settings.service_hours, settings.database_url) == (
        8090,
        (dt.time(8), dt.time(22)),
        "sqlite:///var/handoff.db",
    )
    # One token for each direction: it checks HANDOFF_API_TOKEN, it shows Rasa HANDOFF_DELIVERY_TOKEN.
    assert (settings.service_token, settings.rasa_token) == ("h" * 20, "d" * 20)


def test_rasas_api_token_is_not_needed_and_not_used():
    settings = load_settings({**TOKENS, "RASA_AUTH_TOKEN": "r" * 20})
    assert "r" * 20 not in vars(settings).values()


@pytest.mark.parametrize(
    "env, url",
    [
        ({}, ""),  # no tracker store: the dashboard has no conversation figures
        ({"TRACKER_DB_PATH": "/srv/var/tracker.db"}, "sqlite:///file:/srv/var/tracker.db?mode=ro&uri=true"),
        (
            {"TRACKER_DB_PATH": "/srv/var/tracker.db", "TRACKER_DB_URL": "postgresql://db/tracker"},
            "postgresql://db/tracker",
        ),
    ],
)
def test_the_tracker_store_the_dashboard_reads(env, url):
    assert load_settings({**TOKENS, **env}).tracker_url == url


def test_the_sla_timers_and_the_queue_timeout():
    default = load_settings(TOKENS)
    assert (default.sla_queue_s, default.sla_reply_s, default.queue_timeout_minutes) == ((120, 240), (60, 180), 5)
    changed = load_settings(
        {
            **TOKENS,
            "HANDOFF_SLA_QUEUE_SECONDS": "60, 90",
            "HANDOFF_SLA_REPLY_SECONDS": "30,120",
            "HANDOFF_QUEUE_TIMEOUT_MINUTES": "10",
        }
    )
    assert (changed.sla_queue_s, changed.sla_reply_s, changed.queue_timeout_minutes) == ((60, 90), (30, 120), 10)


@pytest.mark.parametrize("text", ["240,120", "60", "a,b", "0,60", "60,60", "60,90,120", "60,100000"])
def test_bad_sla_thresholds_are_refused(text):
    with pytest.raises(SettingsError, match="HANDOFF_SLA_QUEUE_SECONDS"):
        load_settings({**TOKENS, "HANDOFF_SLA_QUEUE_SECONDS": text})


def test_round_the_clock_service():
    assert load_settings({**TOKENS, "HANDOFF_SERVICE_HOURS": "00:00-24:00"}).service_hours == (dt.time(0), dt.time.max)


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "HANDOFF_API_TOKEN and HANDOFF_DELIVERY_TOKEN must be secrets of at least 16 characters"),
        ({"HANDOFF_API_TOKEN": "h" * 20, "RASA_AUTH_TOKEN": "r" * 20}, "HANDOFF_DELIVERY_TOKEN must be secrets"),
        (
            {"HANDOFF_API_TOKEN": "h" * 20, "HANDOFF_DELIVERY_TOKEN": "h" * 20},
            "must differ: one token for each direction",
        ),
        ({**TOKENS, "AGENT_PORT": "http"}, "AGENT_PORT must be a port number"),
        ({**TOKENS, "HANDOFF_SERVICE_HOURS": "8-22h"}, "HANDOFF_SERVICE_HOURS must look like 08:00-22:00"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env)
