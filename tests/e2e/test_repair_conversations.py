"""Conversation repair through Rasa's REST channel: questions mid-task, switching, restart, rating."""

import pytest

from tests.e2e.conftest import ASK_RATING

pytestmark = pytest.mark.e2e

ASK_PHONE = "为了保护您的账户安全，请先提供您的11位手机号码。"
ASK_PASSWORD = "请输入该号码的6位服务密码。"
ASK_AMOUNT = "请问要缴多少钱？例如“50元”。"
ASK_METHOD = "请选择支付方式：微信、支付宝或银行卡。"


def test_the_balance_asked_while_paying_is_answered_and_the_payment_resumes(chat, running):
    assert chat.say("查下话费") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    assert chat.say("123456") == ["张伟您好，身份验证成功。", "您的话费余额为 58.30 元。"]
    assert chat.say("4分") == ["感谢您的评价！还有什么可以帮您？"]  # given unasked: kept for the balance
    summary = running.backend_get("/v1/satisfaction/summary")
    assert summary["tasks"]["balance"]["scores"]["4"] == 1
    assert chat.say("我要交话费") == [ASK_AMOUNT]
    assert chat.say("我现在话费还剩多少") == ["您的话费余额为 58.30 元。", ASK_AMOUNT]
    assert chat.say("50") == [ASK_METHOD]
    assert chat.say("微信")[0].startswith("请确认：为 138****8000 缴纳话费 50.00 元")


def test_a_bare_number_after_the_rating_question_is_the_rating(chat, running):
    """WeChat shows the buttons as words to reply with: customers reply "5", or "５" from a
    full-width keyboard."""

    def scores():
        return running.backend_get("/v1/satisfaction/summary")["tasks"].get("balance", {}).get("scores", {})

    before = scores()
    assert chat.say("查下话费") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    assert chat.say("123456")[-1] == "您的话费余额为 58.30 元。"
    assert chat.say("谢谢") == ["不客气，很高兴为您服务。", ASK_RATING]
    assert chat.say("５") == ["感谢您的评价！还有什么可以帮您？"]
    chat.say("流量还剩多少")
    assert chat.say("没有了") == ["好的，感谢您的咨询。", ASK_RATING]
    assert chat.say("2") == ["很抱歉没能让您满意，我们会认真改进。如需进一步帮助，可以回复“转人工”。"]
    after = scores()
    assert [after.get(k, 0) - before.get(k, 0) for k in ("5", "2")] == [1, 1]
    assert chat.say("我要交话费") == [ASK_AMOUNT]
    assert chat.say("50") == [ASK_METHOD]  # no buttons offered: a bare number is still the amount


def test_an_faq_while_identifying_then_giving_up(chat):
    assert chat.say("查一下上个月账单") == [ASK_PHONE]
    replies = chat.say("服务密码忘了怎么办")
    assert len(replies) == 2 and "服务密码" in replies[0] and replies[1] == ASK_PHONE, replies
    assert chat.say("算了不查了") == ["好的，已停止办理当前业务，没有做任何变更。"]


def test_switching_from_paying_to_a_fault_report_drops_the_payment(chat, running):
    assert chat.say("交话费") == ["请提供要缴费的11位手机号码（为他人缴费无需服务密码）。"]
    assert chat.say("13900139000") == [ASK_AMOUNT]
    assert chat.say("家里宽带断网了，帮我报修") == ["好的，已取消本次缴费，没有发生任何扣款。", ASK_PHONE]
    assert running.backend_get("/v1/lines/13900139000/balance")["balance_fen"] == -1250


def test_restart_forgets_the_task_and_the_identity(chat):
    assert chat.say("查流量") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    assert chat.say("重新开始") == ["好的，我们重新开始。请问有什么可以帮您？"]
    assert chat.say("查流量") == [ASK_PHONE]
