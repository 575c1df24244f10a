"""bot/ops/stack.py: which processes each profile starts, and how they are wired."""

import re
import sys
from pathlib import Path

import pytest
import yaml

from bot.ops.settings import ROOT, SECRET_NAMES, SettingsError, load_settings
from bot.ops.stack import retention_job, stack

MODEL = Path("/models/m.tar.gz")


def test_embedded_starts_one_of_each_on_sqlite(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path)})
    groups = stack(settings, MODEL)
    assert [[spec.name for spec in group] for group in groups] == [
        ["operator-backend"],
        ["handoff-service"],
        ["action-server"],
        ["rasa-server"],
        ["web-site"],
        ["retention"],
    ]
    rasa = groups[3][0]
    assert rasa.argv[1:4] == ["-m", "bot.rasa.server", "run"]
    assert rasa.argv[rasa.argv.index("--endpoints") + 1].endswith("/endpoints.yml")
    assert rasa.env["TELEBOT_REDIS_URL"] == "" and rasa.env["TRACKER_DB_PATH"] == str(tmp_path / "tracker.db")
    assert [warmup.url for warmup in rasa.warmups] == [
        "http://127.0.0.1:5005/model/parse",
        "http://127.0.0.1:5005/webhooks/rest/webhook",
    ]
    token = settings.secrets["RASA_AUTH_TOKEN"]
    assert (rasa.health_url, dict(rasa.health_headers)) == (
        "http://127.0.0.1:5005/status",
        {"Authorization": f"Bearer {token}"},
    )
    assert dict(rasa.warmups[0].headers) == {"Authorization": f"Bearer {token}"}
    assert rasa.env["RASA_AUTH_TOKEN"] == token  # bot/rasa/server.py hands it to Rasa in the process
    assert groups[1][0].env["RASA_URL"] == "http://127.0.0.1:5005"  # embedded: straight to the Rasa server


def test_production_puts_replicas_behind_nginx(tmp_path):
    settings = load_settings(
        {"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_PROFILE": "production", "RASA_REPLICAS": "3", "ACTION_WORKERS": "4"}
    )
    groups = stack(settings, MODEL)
    assert [[spec.name for spec in group] for group in groups] == [
        ["operator-backend"],
        ["handoff-service"],
        ["action-server"],
        ["rasa-1", "rasa-2", "rasa-3"],
        ["nginx"],
        ["web-site"],
        ["retention"],
    ]
    backend, handoff, actions, replicas, (balancer,), (site,), (retention,) = groups
    assert backend[0].env["OPERATOR_DB_URL"] == "postgresql://postgres@127.0.0.1:5432/telebot_operator"
    assert handoff[0].env["HANDOFF_DB_URL"] == "postgresql://postgres@127.0.0.1:5432/telebot_handoff"
    assert handoff[0].env["RASA_URL"] == "http://127.0.0.1:5006"  # nginx's internal listener, not the public port
    assert actions[0].env["ACTION_SERVER_SANIC_WORKERS"] == "4"
    for port, replica in zip((5010, 5011, 5012), replicas, strict=True):
        assert replica.argv[replica.argv.index("--port") + 1] == str(port)
        assert replica.argv[replica.argv.index("--endpoints") + 1].endswith("/endpoints.production.yml")
        assert replica.env["TRACKER_DB_URL"] == "postgresql://postgres@127.0.0.1:5432/telebot_tracker"
        assert (replica.env["TELEBOT_REDIS_URL"], replica.env["TICKET_LOCK_LIFETIME"]) == (
            "redis://127.0.0.1:6379/0",
            "20",
        )
        assert replica.env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
        assert replica.warmups[0].url == f"http://127.0.0.1:{port}/model/parse"  # its own port, not nginx's
    assert balancer.argv[0] == "/usr/sbin/nginx" and balancer.health_url == "http://127.0.0.1:5005/nginx-health"
    config = (tmp_path / "nginx" / "nginx.conf").read_text()
    assert "server 127.0.0.1:5012" in config and "listen 127.0.0.1:5006;" in config
    assert site.env["SITE_SOCKET_URL"] == "http://127.0.0.1:5005"


def all_specs(tmp_path, profile):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_PROFILE": profile})
    return settings, {spec.name: spec for group in stack(settings, MODEL) for spec in group}


@pytest.mark.parametrize("profile", ["embedded", "production"])
def test_no_secret_on_a_command_line_or_in_a_url(tmp_path, profile):
    """A command line is readable by every user of the machine (ps); URLs are kept in access logs."""
    settings, specs = all_specs(tmp_path, profile)
    values = list(settings.secrets.values()) + [settings.secrets["WECHAT_AES_KEY"][:43]]
    for spec in specs.values():
        visible = [*spec.argv, spec.health_url, *(warmup.url for warmup in spec.warmups)]
        assert not [text for text in visible for value in values if value in text], spec.name


# Exactly the secrets each process uses (bot/ops/stack.py says why each).
NEEDS = {
    "operator-backend": {"OPERATOR_API_TOKEN"},
    "handoff-service": {"HANDOFF_API_TOKEN", "HANDOFF_DELIVERY_TOKEN", "OPERATOR_API_TOKEN"},
    "action-server": {"ACTION_SERVER_TOKEN", "OPERATOR_API_TOKEN", "HANDOFF_API_TOKEN"},
    "rasa": {
        "RASA_AUTH_TOKEN",
        "ACTION_SERVER_TOKEN",
        "WEBCHAT_SESSION_SECRET",
        "REST_CHANNEL_TOKEN",
        "WECHAT_TOKEN",
        "WECHAT_APP_SECRET",
        "WECHAT_AES_KEY",
        "HANDOFF_API_TOKEN",
        "HANDOFF_DELIVERY_TOKEN",
    },
    "web-site": set(),
    "nginx": set(),
    "retention": {"HANDOFF_API_TOKEN"},  # the handoff service's purge API (bot/services/retention/job.py)
}


@pytest.mark.parametrize("profile", ["embedded", "production"])
def test_each_process_gets_only_the_secrets_it_uses(tmp_path, monkeypatch, profile):
    for name in SECRET_NAMES:  # an operator who exported them all: still not inherited by every process
        monkeypatch.setenv(name, f"{name.lower()}-exported-0123456789")
    settings, specs = all_specs(tmp_path, profile)
    for name, spec in specs.items():
        kind = "rasa" if name.startswith("rasa") else name
        given = {secret for secret in SECRET_NAMES if secret in spec.env}
        assert given == NEEDS[kind], name
        exposed = [
            secret for secret in set(SECRET_NAMES) - given if settings.secrets[secret] in spec.env.values()
        ]  # not under another name either
        assert exposed == [], name
    assert "RASA_AUTH_TOKEN" not in specs["handoff-service"].env  # it reaches the handoff channel only


def test_each_direction_between_rasa_and_the_handoff_service_has_its_own_token(tmp_path):
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    # Rasa's channels -> handoff service: HANDOFF_API_TOKEN; handoff service -> Rasa: HANDOFF_DELIVERY_TOKEN.
    assert credentials["bot.rasa.channels.desk.HandoffInput"] == {"token": "${HANDOFF_DELIVERY_TOKEN}"}
    assert {
        channel: values["handoff_token"] for channel, values in credentials.items() if "handoff_token" in values
    } == {
        "bot.rasa.channels.rest.RelayRestInput": "${HANDOFF_API_TOKEN}",
        "bot.rasa.channels.webchat.WebchatInput": "${HANDOFF_API_TOKEN}",
        "bot.rasa.wechat.channel.WeChatInput": "${HANDOFF_API_TOKEN}",
    }
    settings, specs = all_specs(tmp_path, "embedded")
    assert settings.secrets["HANDOFF_API_TOKEN"] != settings.secrets["HANDOFF_DELIVERY_TOKEN"]


@pytest.mark.parametrize("profile", ["embedded", "production"])
def test_rasa_gets_every_variable_its_credentials_and_endpoints_use(tmp_path, profile):
    """Rasa refuses to start on a missing ${...}: trimming the environment must not drop one."""
    settings, specs = all_specs(tmp_path, profile)
    rasa = specs["rasa-server" if profile == "embedded" else "rasa-1"]
    files = [ROOT / "credentials.yml", Path(rasa.argv[rasa.argv.index("--endpoints") + 1])]
    used = {name for path in files for name in re.findall(r"\$\{(\w+)\}", path.read_text())}
    assert "HANDOFF_DELIVERY_TOKEN" in used and sorted(used - set(rasa.env)) == []


def test_the_retention_job_gets_its_one_secret_and_the_tracker_store(tmp_path):
    embedded = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_RETENTION_DAYS": "90"})
    spec = retention_job(embedded)
    assert (spec.name, list(spec.argv), spec.health_url) == (
        "retention",
        [sys.executable, "-m", "bot.services.retention"],
        "http://127.0.0.1:8092/health",
    )
    assert {
        k: v for k, v in spec.env.items() if k.startswith(("TRACKER", "HANDOFF", "TELEBOT_R", "TELEBOT_E", "RETENTION"))
    } == {
        "TRACKER_DB_PATH": str(tmp_path / "tracker.db"),
        "HANDOFF_URL": "http://127.0.0.1:8090",
        "HANDOFF_API_TOKEN": embedded.secrets["HANDOFF_API_TOKEN"],
        "TELEBOT_RETENTION_DAYS": "90",
        "TELEBOT_EXPORTS_DIR": str(embedded.root / "review"),
        "RETENTION_HOST": "127.0.0.1",
        "RETENTION_PORT": "8092",
    }
    production = load_settings(
        {"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_PROFILE": "production", "RETENTION_PORT": "9100"}
    )
    env = retention_job(production).env
    assert (env["TRACKER_DB_URL"], env["RETENTION_PORT"], "TRACKER_DB_PATH" in env) == (
        "postgresql://postgres@127.0.0.1:5432/telebot_tracker",
        "9100",
        False,
    )
    with pytest.raises(SettingsError, match="TELEBOT_RETENTION_DAYS"):
        load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_RETENTION_DAYS": "0"})
