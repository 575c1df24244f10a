"""bot/ops/settings.py: ports, paths and generated secrets."""

import json
import os
import stat

import pytest

from bot.ops import settings as settings_module
from bot.ops.settings import SECRET_NAMES, SettingsError, load_settings


def test_defaults_and_generated_secrets(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path)})
    assert (settings.rasa_port, settings.action_port, settings.operator_port) == (5005, 5055, 8088)
    assert settings.operator_db_url == f"sqlite:///{tmp_path / 'operator.db'}"
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert dict(settings.secrets) == stored and sorted(stored) == sorted(SECRET_NAMES)
    assert len(set(stored.values())) == len(SECRET_NAMES)  # one secret for each use and direction
    assert all(len(value) == 48 and value.isalnum() for value in stored.values())
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600
    # Loaded again, the same secrets come back.
    assert load_settings({"TELEBOT_VAR_DIR": str(tmp_path)}).secrets == settings.secrets


def test_an_existing_secrets_file_others_can_read_is_made_private(tmp_path):
    """An older release's file (without the newest secret) with the umask's 0644: 0600 and kept."""
    path = tmp_path / "secrets.json"
    older = {name: f"{name.lower()}-kept-0123456789" for name in SECRET_NAMES if name != "HANDOFF_DELIVERY_TOKEN"}
    path.write_text(json.dumps(older))
    path.chmod(0o644)
    secrets = load_settings({"TELEBOT_VAR_DIR": str(tmp_path)}).secrets
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {name: secrets[name] for name in older} == older and len(secrets["HANDOFF_DELIVERY_TOKEN"]) == 48
    assert sorted(json.loads(path.read_text())) == sorted(SECRET_NAMES)
    path.chmod(0o640)  # complete, but readable by the group
    load_settings({"TELEBOT_VAR_DIR": str(tmp_path)})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_secrets_file_is_private_from_its_first_byte(tmp_path, monkeypatch):
    """Written whole into a new 0600 file that is then renamed over secrets.json: no moment where the
    secrets are in a file others may read, or in a half-written secrets.json."""
    renamed = []
    replace = os.replace

    def spy(source, target):
        renamed.append((stat.S_IMODE(os.stat(source).st_mode), json.loads(open(source).read()).keys(), target))
        replace(source, target)

    monkeypatch.setattr(settings_module.os, "replace", spy)
    old_umask = os.umask(0)  # the least careful umask: the mode comes from the code alone
    try:
        load_settings({"TELEBOT_VAR_DIR": str(tmp_path)})
    finally:
        os.umask(old_umask)
    assert [(mode, sorted(names), target) for mode, names, target in renamed] == [
        (0o600, sorted(SECRET_NAMES), tmp_path / "secrets.json")
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.json"]


def test_environment_wins(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "OPERATOR_API_TOKEN": "from-env", "RASA_PORT": "6000"})
    assert (settings.secrets["OPERATOR_API_TOKEN"], settings.rasa_port) == ("from-env", 6000)


@pytest.mark.parametrize("port", ["abc", "0", "70000", ""])
def test_bad_port_fails_fast(tmp_path, port):
    with pytest.raises(SettingsError, match="RASA_PORT"):
        load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "RASA_PORT": port})


def test_the_production_profile_puts_everything_on_postgresql_and_redis(tmp_path):
    settings = load_settings(
        {
            "TELEBOT_VAR_DIR": str(tmp_path),
            "TELEBOT_PROFILE": "production",
            "TELEBOT_POSTGRES_URL": "postgresql://app@db.internal:5432/cs",
            "RASA_REPLICAS": "3",
        }
    )
    assert (settings.production, settings.rasa_replicas, settings.action_workers) == (True, 3, 2)
    assert (settings.tracker_db_url, settings.operator_db_url, settings.handoff_db_url) == (
        "postgresql://app@db.internal:5432/cs_tracker",
        "postgresql://app@db.internal:5432/cs_operator",
        "postgresql://app@db.internal:5432/cs_handoff",
    )
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.replica_ports == [5010, 5011, 5012]
    assert settings.replica_url(1) == "http://127.0.0.1:5011"
    # The handoff service reaches Rasa through nginx's internal listener, not the public port.
    assert (settings.rasa_url, settings.rasa_internal_url) == ("http://127.0.0.1:5005", "http://127.0.0.1:5006")


def test_the_embedded_profile_needs_no_servers(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "RASA_REPLICAS": "4"})
    assert (settings.production, settings.rasa_replicas, settings.redis_url, settings.tracker_db_url) == (
        False,
        1,
        "",
        "",
    )
    assert settings.rasa_internal_url == settings.rasa_url == "http://127.0.0.1:5005"


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("TELEBOT_PROFILE", "cluster", "TELEBOT_PROFILE must be one of embedded, production"),
        ("RASA_REPLICAS", "0", "RASA_REPLICAS must be a whole number from 1 to 16"),
        ("ACTION_WORKERS", "many", "ACTION_WORKERS must be a whole number from 1 to 16"),
        ("TELEBOT_POSTGRES_URL", "mysql://x/y", "TELEBOT_POSTGRES_URL must be a postgresql:// URL"),
        ("TELEBOT_REDIS_PREFIX", "tele:bot", "TELEBOT_REDIS_PREFIX must be letters and digits"),
    ],
)
def test_bad_production_settings_fail_fast(tmp_path, name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_PROFILE": "production", name: value})
