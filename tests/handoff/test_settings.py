"""Handoff service settings from the environment."""

import datetime as dt

import pytest

from bot.handoff.settings import SettingsError, load_settings

TOKENS = {"HANDOFF_API_TOKEN": "h" * 20, "RASA_AUTH_TOKEN": "r" * 20}


def test_defaults():
    settings = load_settings(TOKENS)
    assert (settings.port, settings.service_hours, settings.database_url) == (
        8090, (dt.time(8), dt.time(22)), "sqlite:///var/handoff.db")


def test_round_the_clock_service():
    assert load_settings({**TOKENS, "HANDOFF_SERVICE_HOURS": "00:00-24:00"}).service_hours == (dt.time(0), dt.time.max)


@pytest.mark.parametrize("env", [{}, {**TOKENS, "AGENT_PORT": "http"}, {**TOKENS, "HANDOFF_SERVICE_HOURS": "8-22h"}])
def test_bad_settings_are_refused_with_the_reason(env):
    with pytest.raises(SettingsError):
        load_settings(env)
