"""bot/services/operator/settings.py."""

import pytest

from bot.services.operator.settings import SettingsError, load_settings


def test_settings_from_environment():
    settings = load_settings(
        {"OPERATOR_API_TOKEN": "x" * 16, "OPERATOR_PORT": "9000", "OPERATOR_DB_URL": "sqlite:///a.db"}
    )
    assert (settings.port, settings.database_url, settings.host) == (9000, "sqlite:///a.db", "127.0.0.1")


@pytest.mark.parametrize(
    "env", [{}, {"OPERATOR_API_TOKEN": "short"}, {"OPERATOR_API_TOKEN": "x" * 16, "OPERATOR_PORT": "x"}]
)
def test_missing_or_bad_settings_fail_fast(env):
    with pytest.raises(SettingsError):
        load_settings(env)
