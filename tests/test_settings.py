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
