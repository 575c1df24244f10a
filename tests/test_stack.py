"""bot/stack.py: which processes each profile starts, and how they are wired."""

from pathlib import Path

from bot.settings import load_settings
from bot.stack import stack

MODEL = Path("/models/m.tar.gz")


def test_embedded_starts_one_of_each_on_sqlite(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path)})
    groups = stack(settings, MODEL)
    assert [[spec.name for spec in group] for group in groups] == [
        ["operator-backend"], ["handoff-service"], ["action-server"], ["rasa-server"], ["web-site"]]
    rasa = groups[3][0]
    assert rasa.argv[1:4] == ["-m", "bot.rasa_server", "run"]
    assert rasa.argv[rasa.argv.index("--endpoints") + 1].endswith("/endpoints.yml")
    assert rasa.env["TELEBOT_REDIS_URL"] == "" and rasa.env["TRACKER_DB_PATH"] == str(tmp_path / "tracker.db")
    assert [warmup.url.split("?")[0] for warmup in rasa.warmups] == [
        "http://127.0.0.1:5005/model/parse", "http://127.0.0.1:5005/webhooks/rest/webhook"]


def test_production_puts_replicas_behind_nginx(tmp_path):
    settings = load_settings({"TELEBOT_VAR_DIR": str(tmp_path), "TELEBOT_PROFILE": "production",
                              "RASA_REPLICAS": "3", "ACTION_WORKERS": "4"})
    groups = stack(settings, MODEL)
    assert [[spec.name for spec in group] for group in groups] == [
        ["operator-backend"], ["handoff-service"], ["action-server"], ["rasa-1", "rasa-2", "rasa-3"], ["nginx"],
        ["web-site"]]
    backend, handoff, actions, replicas, (balancer,), (site,) = groups
    assert backend[0].env["OPERATOR_DB_URL"] == "postgresql://postgres@127.0.0.1:5432/telebot_operator"
    assert handoff[0].env["HANDOFF_DB_URL"] == "postgresql://postgres@127.0.0.1:5432/telebot_handoff"
    assert handoff[0].env["RASA_URL"] == "http://127.0.0.1:5005"  # agents' replies go through nginx
    assert actions[0].env["ACTION_SERVER_SANIC_WORKERS"] == "4"
    for port, replica in zip((5010, 5011, 5012), replicas):
        assert replica.argv[replica.argv.index("--port") + 1] == str(port)
        assert replica.argv[replica.argv.index("--endpoints") + 1].endswith("/endpoints.production.yml")
        assert replica.env["TRACKER_DB_URL"] == "postgresql://postgres@127.0.0.1:5432/telebot_tracker"
        assert (replica.env["TELEBOT_REDIS_URL"], replica.env["TICKET_LOCK_LIFETIME"]) == ("redis://127.0.0.1:6379/0", "20")
        assert replica.env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
        assert replica.warmups[0].url.startswith(f"http://127.0.0.1:{port}/model/parse")
    assert balancer.argv[0] == "/usr/sbin/nginx" and balancer.health_url == "http://127.0.0.1:5005/nginx-health"
    assert "server 127.0.0.1:5012" in (tmp_path / "nginx" / "nginx.conf").read_text()
    assert site.env["SITE_SOCKET_URL"] == "http://127.0.0.1:5005"
