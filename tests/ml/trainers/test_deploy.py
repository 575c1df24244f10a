"""The deployment gate, the registry of deployed models, and the swap request (a stand-in Rasa)."""

import http.server
import json
import threading

import pytest

from bot.ml.trainers.deploy import DeployError, Registry, gate, hot_swap

TOKEN = "admin-token-0123456789abcdef"


def figures(**candidate):
    deployed = {
        "intent_accuracy": 0.97,
        "intent_macro_f1": 0.97,
        "faq_topic_accuracy": 0.94,
        "entity_value_accuracy": 0.98,
        "entity_f1": 0.95,
    }
    return {name: {"deployed": value, "candidate": candidate.get(name, value)} for name, value in deployed.items()}


def test_the_gate_accepts_equal_better_and_slightly_worse_within_the_tolerance():
    assert gate(figures(), 0.01).accepted
    assert gate(figures(intent_accuracy=0.99), 0.01).accepted
    assert gate(figures(intent_macro_f1=0.961), 0.01).accepted


def test_the_gate_refuses_a_figure_below_the_tolerance_and_says_which():
    verdict = gate(figures(intent_macro_f1=0.80, faq_topic_accuracy=0.90), 0.01)
    assert not verdict.accepted
    assert verdict.reasons == [
        "intent_macro_f1 0.800 < deployed 0.970 - tolerance 0.010",
        "faq_topic_accuracy 0.900 < deployed 0.940 - tolerance 0.010",
    ]
    assert gate(figures(entity_f1=0.5), 0.01).accepted  # not gated: entity values are


def test_the_registry_keeps_the_last_n_and_rolls_back(tmp_path):
    registry = Registry(tmp_path)
    assert registry.current() is None
    for name in ("a", "b", "c"):
        assert registry.push(tmp_path / f"{name}.tar.gz", None, keep=2) == (
            [tmp_path / "a.tar.gz"] if name == "c" else []
        )
    assert [entry["model"] for entry in registry.entries()] == [str(tmp_path / "b.tar.gz"), str(tmp_path / "c.tar.gz")]
    assert registry.pop() == tmp_path / "b.tar.gz"
    assert registry.current() == tmp_path / "b.tar.gz"
    with pytest.raises(DeployError):
        registry.pop()


class FakeRasa(http.server.BaseHTTPRequestHandler):
    """Answers PUT /model like Rasa with bot/rasa/auth.py: 204 for the Bearer token, else 401."""

    seen: list = []

    def do_PUT(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.seen.append((self.path, self.headers.get("Authorization"), body))
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            self.send_response(204)
            self.end_headers()
            return
        answer = json.dumps({"status": "failure", "message": "User is not authenticated.", "code": 401}).encode()
        self.send_response(401)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def rasa_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeRasa.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_swap_sends_the_token_in_a_header_never_in_the_url(rasa_url, tmp_path):
    hot_swap(rasa_url, TOKEN, tmp_path / "m.tar.gz")
    assert FakeRasa.seen == [("/model", f"Bearer {TOKEN}", {"model_file": str(tmp_path / "m.tar.gz")})]


def test_a_refused_swap_says_why_without_the_token(rasa_url, tmp_path):
    with pytest.raises(DeployError) as refused:
        hot_swap(rasa_url, "wrong-token-0123456789", tmp_path / "m.tar.gz")
    assert str(refused.value).startswith("Rasa refused the model: 401") and "wrong-token" not in str(refused.value)
