"""bot/settings.py: ports, paths and generated secrets."""

import json
import stat

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_and_generated_secrets(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path)})
    assert (settings.rasa_port, settings.action_port, settings.operator_port) == (5005, 5055, 8088)
    assert settings.operator_db_url == f"sqlite:///{tmp_path / 'operator.db'}"
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert dict(settings.secrets) == stored
    assert all(len(value) == 48 and value.isalnum() for value in stored.values())
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600
    # Loaded again, the same secrets come back.
    assert load_settings({"TELEBOT_VAR_DIR": str(tmp_path)}).secrets == settings.secrets


def test_environment_wins(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "OPERATOR_API_TOKEN": "from-env", "RASA_PORT": "6000"})
    assert (settings.secrets["OPERATOR_API_TOKEN"], settings.rasa_port) == ("from-env", 6000)


@pytest.mark.parametrize("port", ["abc", "0", "70000", ""])
def test_bad_port_fails_fast(tmp_path, port):
    with pytest.raises(SettingsError, match="RASA_PORT"):
        load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "RASA_PORT": port})


def test_the_production_profile_puts_everything_on_postgresql_and_redis(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_PROFILE": "production",
                              "TELEBOT_POSTGRES_URL": "postgresql://app@db.internal:5432/cs", "RASA_REPLICAS": "3"})
    assert (settings.production, settings.rasa_replicas, settings.action_workers) == (True, 3, 2)
    assert (settings.tracker_db_url, settings.operator_db_url, settings.handoff_db_url) == (
        "postgresql://app@db.internal:5432/cs_tracker", "postgresql://app@db.internal:5432/cs_operator",
        "postgresql://app@db.internal:5432/cs_handoff")
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.replica_ports == [5010, 5011, 5012]
    assert settings.replica_url(1) == "http://127.0.0.1:5011"


def test_the_embedded_profile_needs_no_servers(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "RASA_REPLICAS": "4"})
    assert (settings.production, settings.rasa_replicas, settings.redis_url, settings.tracker_db_url) == (
        False, 1, "", "")


@pytest.mark.parametrize("name, value, message", [
    ("TELEBOT_PROFILE", "cluster", "TELEBOT_PROFILE must be one of embedded, production"),
    ("RASA_REPLICAS", "0", "RASA_REPLICAS must be a whole number from 1 to 16"),
    ("ACTION_WORKERS", "many", "ACTION_WORKERS must be a whole number from 1 to 16"),
    ("TELEBOT_POSTGRES_URL", "mysql://x/y", "TELEBOT_POSTGRES_URL must be a postgresql:// URL"),
    ("TELEBOT_REDIS_PREFIX", "tele:bot", "TELEBOT_REDIS_PREFIX must be letters and digits"),
])
def test_bad_production_settings_fail_fast(tmp_path, name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_PROFILE": "production", name: value})
