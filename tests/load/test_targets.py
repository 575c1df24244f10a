"""bot/load/targets.py: the benchmark's targets expose no secret on a command line, in a URL or a file."""

import stat
from pathlib import Path

from bot.load.targets import stock_rasa, target_env
from bot.ops.settings import SECRET_NAMES, load_settings


def test_the_stock_rasa_runs_without_its_api_and_without_any_token(tmp_path, monkeypatch):
    for name in SECRET_NAMES:
        monkeypatch.setenv(name, f"{name.lower()}-exported-0123456789")
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "RASA_PORT": "5999"})
    spec = stock_rasa(settings, Path("/models/m.tar.gz"))
    assert spec.argv[1:4] == ["-m", "rasa", "run"] and "--enable-api" not in spec.argv
    assert not [arg for arg in spec.argv if "token" in arg]
    assert not [name for name in SECRET_NAMES if name in spec.env]
    assert (spec.health_url, [warmup.url for warmup in spec.warmups]) == (
        "http://127.0.0.1:5999/webhooks/rest/",
        ["http://127.0.0.1:5999/webhooks/rest/webhook"],
    )
    endpoints = tmp_path / "stock" / "endpoints.yml"  # it holds the action server's token
    assert stat.S_IMODE(endpoints.stat().st_mode) == 0o600
    assert settings.secrets["ACTION_SERVER_TOKEN"] in endpoints.read_text()


def test_a_production_target_has_its_own_internal_port(tmp_path):
    env = target_env("production", tmp_path, base={})
    ports = [
        env[name]
        for name in ("RASA_PORT", "RASA_INTERNAL_PORT", "ACTION_PORT", "OPERATOR_PORT", "AGENT_PORT", "SITE_PORT")
    ]
    assert len(set(ports)) == 6 and env["RASA_INTERNAL_PORT"] != "5006"
