"""bot/services/retention/settings.py: the retention period and where the data is."""

import pytest

from bot.services.retention.settings import SettingsError, load_settings, retention_days

TOKEN = "handoff-test-token-0123456789"


@pytest.mark.parametrize(
    "text, days",
    [
        (None, 180),  # unset: the default
        ("", 180),
        ("30", 30),
        ("3650", 3650),  # ten years at most
    ],
)
def test_retention_days(text, days):
    assert retention_days(text) == days


@pytest.mark.parametrize("text", ["0", "-5", "3651", "1.5", "180d", "１８０", " 180"])
def test_retention_days_refuses_what_is_not_a_period(text):
    with pytest.raises(SettingsError, match="TELEBOT_RETENTION_DAYS must be a whole number of days from 1 to 3650"):
        retention_days(text)


def test_load_settings_embedded_and_production():
    embedded = load_settings({"TRACKER_DB_PATH": "/var/t.db", "HANDOFF_API_TOKEN": TOKEN})
    assert (embedded.days, embedded.tracker_url, embedded.handoff_url, embedded.port) == (
        180,
        "sqlite:////var/t.db",
        "http://127.0.0.1:8090",
        8092,
    )
    production = load_settings(
        {
            "TRACKER_DB_URL": "postgresql://pg/telebot_tracker",
            "TRACKER_DB_PATH": "/x",
            "HANDOFF_API_TOKEN": TOKEN,
            "TELEBOT_RETENTION_DAYS": "90",
            "HANDOFF_URL": "http://h:1/",
            "RETENTION_PORT": "9000",
        }
    )
    assert (production.days, production.tracker_url, production.handoff_url, production.port) == (
        90,
        "postgresql://pg/telebot_tracker",
        "http://h:1",
        9000,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"HANDOFF_API_TOKEN": TOKEN}, "TRACKER_DB_URL"),
        ({"TRACKER_DB_PATH": "/t.db", "HANDOFF_API_TOKEN": "short"}, "HANDOFF_API_TOKEN"),
        ({"TRACKER_DB_PATH": "/t.db", "HANDOFF_API_TOKEN": TOKEN, "RETENTION_PORT": "http"}, "RETENTION_PORT"),
    ],
)
def test_load_settings_fails_fast(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env)
