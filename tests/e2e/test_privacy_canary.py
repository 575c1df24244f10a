"""A canary number and password through real conversations, failures included, then a search of
every log of every process, the tracker database, the handoff database and a trainers' export."""

import json
import re
import urllib.request
from pathlib import Path

import pytest

from bot.cli.review import export
from tests.e2e.conftest import RestChat

pytestmark = pytest.mark.e2e

PHONE, PASSWORD = "13900139000", "654321"  # the demo account 李娜
WRONG_PASSWORD, UNKNOWN_PHONE = "864213", "13712345678"


def alone(digits: str, text: str) -> bool:
    return re.search(rf"(?<![0-9]){digits}(?![0-9])", text) is not None


def test_a_canary_counts_only_as_a_digit_run_of_its_own():
    assert alone("654321", '{"text": "654321"}') and alone("654321", "密码654321查")
    assert not alone("654321", '{"confidence": 0.0006543219205923378}')


def test_canary_number_and_password_are_nowhere(product, running, tmp_path):
    def chat(name):
        return RestChat(product, sender=f"canary-{name}")

    wrong_then_right = chat("wrong-then-right")
    assert wrong_then_right.say("查下流量")[0] == "为了保护您的账户安全，请先提供您的11位手机号码。"
    assert wrong_then_right.say(PHONE) == ["请输入该号码的6位服务密码。"]
    assert wrong_then_right.say(WRONG_PASSWORD)[0] == "手机号码或服务密码不正确，您还可以再试 2 次。"
    assert wrong_then_right.say(PASSWORD)[0] == "李娜您好，身份验证成功。"

    all_at_once = chat("all-at-once")
    all_at_once.say(f"我的号码{PHONE}密码{PASSWORD}查一下话费")

    unknown = chat("unknown")
    unknown.say("查话费")
    unknown.say(UNKNOWN_PHONE)

    # The operator backend goes down in the middle of a conversation.
    backend_down = chat("backend-down")
    backend_down.say("查话费")
    backend_down.say(PHONE)
    running.supervisor.stop("operator-backend")
    try:
        assert "业务系统暂时繁忙" in "".join(backend_down.say(PASSWORD))
    finally:
        running.reset_backend()

    # A hostile body and an injected intent with the canary in it.
    request = urllib.request.Request(
        f"{product.rasa_url}/webhooks/rest/webhook",
        data=b'["' + PASSWORD.encode() + b'"]',
        headers={**wrong_then_right.headers},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400 and PASSWORD not in refused.value.read().decode()
    chat("injected").say(f'/inform{{"service_password": "{PASSWORD}", "phone_number": "{PHONE}"}}')

    exported = export(f"sqlite:///{product.tracker_db_path}", tmp_path, None, None, 1.0)
    secrets = (PASSWORD, WRONG_PASSWORD)
    logs = sorted((product.var_dir / "logs").rglob("*.log"))
    assert len(logs) >= 5
    places = {
        **{path: (*secrets, PHONE, UNKNOWN_PHONE) for path in logs},
        exported: (*secrets, PHONE, UNKNOWN_PHONE),
        # The tracker keeps the customer's number (slots); never a password.
        product.tracker_db_path: secrets,
        Path(product.handoff_db_url.replace("sqlite:///", "")): secrets,
    }
    found = {}
    for path, canaries in places.items():
        siblings = [path] + [path.with_name(path.name + suffix) for suffix in ("-wal", "-journal")]
        text = "".join(p.read_bytes().decode("utf-8", "replace") for p in siblings if p.exists())
        # A canary counts as a digit run of its own: inside a longer one (a confidence such as
        # 0.0006543219205923378 in the stored intent ranking) it is not the customer's number.
        found.update({f"{path.name}: {canary}": True for canary in canaries if alone(canary, text)})
    assert found == {}
    # The conversations really went through the tracker store.
    assert b"canary-wrong-then-right" in product.tracker_db_path.read_bytes()
    print(json.dumps({"places searched": len(places), "canaries": 4}))
