"""The deployment gate with real models and the running server: a model trained on crippled data
is refused, an equal one is hot-swapped in, and a rollback brings the previous one back."""

import json
import shutil
import urllib.request

import pytest
import yaml

from bot.ml.trainers.deploy import Registry, deploy, rollback
from bot.ml.training import train
from bot.ops.stack import rasa_api_headers

pytestmark = pytest.mark.e2e
SOURCES = ("data", "config.yml", "domain", "bot", "credentials.yml", "endpoints.yml")


CRIPPLED_EPOCHS = 5  # a worse model needs no full training: it also saves minutes of the suite


def crippled_model(root, tmp_path):
    """The same project with only two examples per intent, trained for a few epochs: a deliberately
    worse model."""
    project = tmp_path / "crippled"
    for name in SOURCES:
        source = root / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
    for path in (project / "data" / "nlu").glob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in document.get("nlu", []):
            if "examples" in block:
                lines = [line for line in block["examples"].splitlines() if line.strip()]
                block["examples"] = "\n".join(lines[:2]) + "\n"
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((project / "config.yml").read_text(encoding="utf-8"))
    for component in [*config.get("pipeline", []), *config.get("policies", [])]:
        if "epochs" in component:
            component["epochs"] = CRIPPLED_EPOCHS
    (project / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return train(project, project / "models")


def serving(settings):
    request = urllib.request.Request(f"{settings.rasa_url}/status", headers=rasa_api_headers(settings))
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["model_file"]


def test_gate_hot_swap_and_rollback(running, chat, tmp_path):
    settings = running.settings
    token = settings.secrets["RASA_AUTH_TOKEN"]
    models = tmp_path / "models"
    current = train(settings.root, settings.models_dir)
    assert deploy(current, models, settings.rasa_url, token).accepted  # the first deployment
    first = Registry(models).current()
    assert serving(settings).endswith(first.name)

    worse = crippled_model(settings.root, tmp_path)
    verdict = deploy(worse, models, settings.rasa_url, token, tolerance=0.02)
    assert not verdict.accepted and any("intent_macro_f1" in reason for reason in verdict.reasons), verdict
    assert Registry(models).current() == first and serving(settings).endswith(first.name)

    same = tmp_path / "retrained.tar.gz"
    shutil.copy(current, same)  # an equal model under another name
    assert deploy(same, models, settings.rasa_url, token).accepted
    second = Registry(models).current()
    assert second != first and serving(settings).endswith(second.name)
    assert chat.say("你好")[0].startswith("您好，我是智能客服小翼")  # the swapped-in model answers

    assert rollback(models, settings.rasa_url, token) == first
    assert serving(settings).endswith(first.name)
    assert chat.say("谢谢") == ["不客气，很高兴为您服务。还有其他问题吗？"]
