"""Correctness of the production profile under concurrency: several replicas share one tracker
store and one lock store, so any replica can take any message of any conversation."""

import threading
import time
import uuid

import pytest

from bot.core.privacy import PASSWORD_MARKER
from tests.production.conftest import gather_in_threads

pytestmark = pytest.mark.e2e

ASK_PHONE = "为了保护您的账户安全，请先提供您的11位手机号码。"
ASK_PASSWORD = "请输入该号码的6位服务密码。"
ASK_METHOD = "请选择支付方式：微信、支付宝或银行卡。"

# FAQ questions (all different topics) and how their answers begin.
QUESTIONS = {
    "话费怎么交": "交话费的方式有很多",
    "营业厅几点开门": "营业厅一般营业时间为",
    "你们客服电话多少": "我们的客服热线是10010",
    "怎么开发票": "您可以在手机营业厅App的“发票管理”",
    "怎么携号转网": "携号转网需要满足以下条件",
    "服务密码忘了怎么办": "服务密码忘了可以通过以下方式",
    "流量用不完能结转吗": "这要看您办理的套餐",
    "出国怎么开通国际漫游": "出境（包括港澳台）前",
}


def sender(name: str) -> str:
    return f"prod-{name}-{uuid.uuid4().hex[:8]}"


def user_turns(events):
    """[(user text, [bot texts until the next user message])], in tracker order."""
    turns = []
    for event in events:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif event["event"] == "bot" and turns:
            turns[-1][1].append(event.get("text") or "")
    return turns


def test_one_conversation_alternating_between_replicas(production):
    conversation = sender("alternate")
    assert production.say(conversation, "查一下话费余额", replica=0) == (200, [ASK_PHONE])
    assert production.say(conversation, "13800138000", replica=1) == (200, [ASK_PASSWORD])
    status, replies = production.say(conversation, "123456", replica=0)
    assert status == 200 and replies[0] == "张伟您好，身份验证成功。" and replies[1].startswith("您的话费余额为 ")
    # Verified on replica 0, still verified on replica 1: the slots live in the shared tracker store.
    assert production.say(conversation, "流量还剩多少", replica=1) == (
        200,
        ["本月流量共 40GB，已用 27.5GB，剩余 12.5GB。"],  # the rating waits until the customer is done
    )
    assert [text for text, _ in user_turns(production.events(conversation))] == [
        "查一下话费余额",
        "13800138000",
        "******",
        "流量还剩多少",
    ]  # the tracker store keeps no password


def test_simultaneous_messages_of_one_conversation_on_two_replicas_lose_nothing(production):
    conversation = sender("simultaneous")
    assert production.say(conversation, "你好")[0] == 200
    questions = list(QUESTIONS)
    results = gather_in_threads(
        [
            (lambda text=text, index=index: production.say(conversation, text, replica=index % 2))
            for index, text in enumerate(questions)
        ]
    )
    assert [status for status, _ in results] == [200] * len(questions)
    for text, (_, replies) in zip(questions, results, strict=True):
        assert replies and replies[0].startswith(QUESTIONS[text]), (text, replies)
    turns = user_turns(production.events(conversation))
    assert turns[0][0] == "你好"
    # Every message once, each followed by its own answer before the next message: handled one at a time.
    assert sorted(text for text, _ in turns[1:]) == sorted(questions)
    for text, bot_texts in turns[1:]:
        assert bot_texts and bot_texts[0].startswith(QUESTIONS[text]), (text, bot_texts)


def test_twenty_simultaneous_confirmations_across_replicas_charge_once(production):
    conversation = sender("confirm")
    before = production.backend_get("/v1/lines/13900139000/balance")["balance_fen"]
    consents_before = len(production.backend_get("/v1/lines/13900139000/consents")["consents"])
    assert production.say(conversation, "给13900139000充五十块话费") == (200, [ASK_METHOD])
    assert production.say(conversation, "支付宝")[1][0].startswith("请确认：为 139****9000 缴纳话费 50.00 元")
    # The customer taps 确认 twenty times; the taps reach both replicas directly and through nginx.
    results = gather_in_threads(
        [
            (lambda index=index: production.say(conversation, "确认", replica=(None, 0, 1)[index % 3]))
            for index in range(20)
        ]
    )
    assert [status for status, _ in results] == [200] * 20
    paid = [replies for _, replies in results if any(text.startswith("缴费成功") for text in replies)]
    assert len(paid) == 1, results
    assert paid[0][0].startswith("缴费成功！已为 139****9000 缴纳话费 50.00 元（支付宝）")
    assert production.backend_get("/v1/lines/13900139000/balance")["balance_fen"] == before + 5000
    assert len(production.backend_get("/v1/lines/13900139000/consents")["consents"]) == consents_before + 1
    assert [text for text, _ in user_turns(production.events(conversation))].count("确认") == 20


def test_a_replica_killed_mid_form_the_conversation_goes_on_elsewhere(production):
    supervisor = production.running.supervisor
    conversation = sender("killed")
    assert production.say(conversation, "我要交话费", replica=0) == (
        200,
        ["请提供要缴费的11位手机号码（为他人缴费无需服务密码）。"],
    )
    assert production.say(conversation, "13900139000", replica=0) == (200, ["请问要缴多少钱？例如“50元”。"])
    supervisor.kill("rasa-1")  # SIGKILL: no clean-up, as in a crash
    # Through nginx: replica 1 refuses connections, the other one takes the form where it was.
    assert production.say(conversation, "50元") == (200, [ASK_METHOD])
    status, replies = production.say(conversation, "微信")
    assert status == 200 and replies[0].startswith("请确认：为 139****9000 缴纳话费 50.00 元，支付方式：微信")
    status, replies = production.say(conversation, "确认")
    assert status == 200 and replies[0].startswith("缴费成功！已为 139****9000 缴纳话费 50.00 元（微信）")
    assert production.restart_replica(0) < 240


def test_a_replica_killed_while_handling_a_message_blocks_that_conversation_only_briefly(production):
    """The dead replica held the conversation's lock: it expires with its ticket (TICKET_LOCK_LIFETIME)."""
    supervisor = production.running.supervisor
    conversation = sender("killed-busy")
    assert production.say(conversation, "查一下话费余额", replica=0) == (200, [ASK_PHONE])
    answer = {}
    sending = threading.Thread(target=lambda: answer.update(r=production.say(conversation, "13800138000", replica=0)))
    sending.start()
    time.sleep(0.05)  # the message is being handled
    supervisor.kill("rasa-1")
    sending.join(30)
    assert answer["r"] in ((0, []), (502, []), (200, [ASK_PASSWORD]))  # lost with the replica, or answered just before
    started = time.monotonic()
    status, replies = production.say(conversation, "13800138000")  # the customer sends it again
    waited = time.monotonic() - started
    assert status == 200 and replies and waited < production.settings.lock_lifetime_s + 5, (status, replies, waited)
    # A message is recorded only once it is handled (Rasa saves the tracker at the end).
    turns = [text for text, _ in user_turns(production.events(conversation))]
    if len(turns) == 2:  # the first sending died before it was recorded: this one is handled as the first
        assert turns[1] == "13800138000" and replies == [ASK_PASSWORD]
    else:  # handled before the replica died: this one answers the password question (stored masked)
        assert turns[1:] == ["13800138000", PASSWORD_MARKER] and replies[0] == "服务密码是6位数字，请重新输入。"
    production.restart_replica(0)
