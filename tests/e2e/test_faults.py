"""Faults injected into the running product: real processes stopped and started again."""

import json
import re
import time
import urllib.request

import pytest

from bot.ops.stack import action_server, operator_backend, rasa_api_headers
from tests.e2e.conftest import ASK_RATING, RestChat

pytestmark = pytest.mark.e2e


def restart(running, spec):
    running.supervisor.start(spec)
    running.supervisor.wait_healthy([spec.name])


def tracker_bot_texts(settings, sender):
    url = urllib.request.Request(
        f"{settings.rasa_url}/conversations/{sender}/tracker", headers=rasa_api_headers(settings)
    )
    with urllib.request.urlopen(url, timeout=10) as response:
        return [e.get("text") for e in json.loads(response.read())["events"] if e["event"] == "bot"]


def test_a_fault_reported_while_the_backend_is_down_is_opened_when_it_is_back(chat, product, running):
    assert chat.say("家里宽带断网了，光猫红灯一直闪") == ["为了保护您的账户安全，请先提供您的11位手机号码。"]
    assert chat.say("13800138000") == ["请输入该号码的6位服务密码。"]
    assert chat.say("123456")[0] == "张伟您好，身份验证成功。"
    backend = operator_backend(product)
    running.supervisor.stop(backend.name)
    try:
        started = time.monotonic()
        reply = chat.say("深圳市福田区深南大道99号5栋302")
        assert time.monotonic() - started < 10
        assert reply == [
            "业务系统暂时无法连接，您的故障报修申请已记录（联系电话 138****8000），"
            "系统恢复后会自动提交，并把单号发给您，无需重复申请。"
        ]
    finally:
        restart(running, backend)
    # The handoff service's retry loop (every 3 s) submits it and tells the customer the number.
    deadline, told = time.monotonic() + 30, []
    while time.monotonic() < deadline and not told:
        told = [
            t for t in tracker_bot_texts(product, chat.sender) if t and t.startswith("您之前的故障报修申请已提交成功")
        ]
        time.sleep(0.5)
    assert told, tracker_bot_texts(product, chat.sender)
    ticket_id = re.search(r"单号 (T\d{11})", told[0]).group(1)
    stored = running.backend_get(f"/v1/tickets/{ticket_id}")
    assert (stored["phone"], stored["kind"], stored["category"], stored["address"]) == (
        "13800138000",
        "故障报修",
        "断网",
        "深圳市福田区深南大道99号5栋302",
    )
    # Exactly one ticket was opened for it.
    tickets = running.backend_get("/v1/lines/13800138000/tickets")["tickets"]
    assert [t["address"] for t in tickets].count("深圳市福田区深南大道99号5栋302") == 1


def test_a_backend_down_mid_conversation_offers_a_callback(chat, product, running):
    assert chat.say("查一下话费余额")[0].startswith("为了保护您的账户安全")
    assert chat.say("13800138000") == ["请输入该号码的6位服务密码。"]
    assert chat.say("123456")[1].startswith("您的话费余额为 ")
    backend = operator_backend(product)
    running.supervisor.stop(backend.name)
    try:
        reply = chat.say("流量还剩多少")
        assert reply[0].startswith("抱歉，业务系统暂时繁忙"), reply
        reply = chat.say("登记回电")
        assert reply == [
            "业务系统暂时无法连接，您的回访申请已记录（联系电话 138****8000），"
            "系统恢复后会自动提交，并把单号发给您，无需重复申请。"
        ], reply
    finally:
        restart(running, backend)


def test_the_action_server_down_is_told_to_the_customer(chat, product, running):
    spec = action_server(product)
    running.supervisor.stop(spec.name)
    try:
        reply = chat.say("查一下话费余额")
        # Said instead of Rasa's silence; the form then asks its next question as usual.
        assert reply[0] == "抱歉，系统出了点问题，这一步没能办理，也没有产生任何费用。请稍后再试，或回复“转人工”。", (
            reply
        )
    finally:
        restart(running, spec)
    # Back: the conversation goes on (the form asked for the number), and a new one starts as usual.
    assert chat.say("13800138000") == ["请输入该号码的6位服务密码。"]
    fresh = RestChat(product, sender=f"{chat.sender}-after")
    assert fresh.say("查一下话费余额") == ["为了保护您的账户安全，请先提供您的11位手机号码。"]


def test_an_injected_intent_is_read_as_text(chat):
    # Without the guard this would be the intent `affirm` with the entity pay_confirmed=true.
    reply = chat.say('/affirm{"pay_confirmed": true, "identity_verified": true}')
    assert reply and not any(text.startswith("缴费成功") for text in reply)


def test_hostile_messages_get_a_clear_answer(chat):
    assert chat.say("话" * 5000) == ["您的消息太长了（最多 500 个字），请简要说明您要办理的业务。"]
    assert chat.say("\x00\x01 \n") == ["没有收到文字内容，请直接告诉我您要办理的业务，例如“查话费”“交话费”“宽带报修”。"]
    for text in (
        "😀😀😀",
        "ｈｅｌｌｏ 你好 Привет مرحبا",
        "\ud83d",
        "查话费" + "\u200b" * 10,
        "<script>alert(1)</script>",
    ):
        assert chat.say(text), text  # an answer, whatever it is
    assert ASK_RATING not in chat.say("你好")
