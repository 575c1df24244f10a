"""Payments through Rasa's REST channel: confirmation, corrections, 算了, no double charge."""

import pytest

pytestmark = pytest.mark.e2e

ASK_METHOD = "请选择支付方式：微信、支付宝或银行卡。"


def confirm_text(phone, bill_type, amount, method):
    return (
        f"请确认：为 {phone} 缴纳{bill_type} {amount} 元，支付方式：{method}，即时到账。"
        "确认支付请回复“确认”，不缴了请回复“算了”。"
    )


def test_pay_50_by_wechat_then_the_balance_is_108_30(chat, running):
    assert chat.say("给13800138000充五十块话费") == [ASK_METHOD]
    assert chat.say("微信") == [confirm_text("138****8000", "话费", "50.00", "微信")]
    # Not verified for that number: the receipt says what a payment kiosk would, not the balance.
    assert chat.say("确认") == ["缴费成功！已为 138****8000 缴纳话费 50.00 元（微信）。"]
    # The confirmation sent again charges nothing more.
    assert chat.say("确认") == ["好的。请问还有什么可以帮您？"]
    assert running.backend_get("/v1/lines/13800138000/balance")["balance_fen"] == 10830
    assert chat.say("查一下话费余额") == ["为了保护您的账户安全，请先提供您的11位手机号码。"]
    assert chat.say("13800138000") == ["请输入该号码的6位服务密码。"]
    assert chat.say("123456") == ["张伟您好，身份验证成功。", "您的话费余额为 108.30 元。"]


def test_correction_then_cancel_charges_nothing(chat, running):
    assert chat.say("我要交话费") == ["请提供要缴费的11位手机号码（为他人缴费无需服务密码）。"]
    assert chat.say("139 0013 9000") == ["请问要缴多少钱？例如“50元”。"]
    assert chat.say("50元") == [ASK_METHOD]
    assert chat.say("支付宝") == [confirm_text("139****9000", "话费", "50.00", "支付宝")]
    assert chat.say("不对，是100块") == [confirm_text("139****9000", "话费", "100.00", "支付宝")]
    assert chat.say("算了") == ["好的，已取消本次缴费，没有发生任何扣款。"]
    assert running.backend_get("/v1/lines/13900139000/balance")["balance_fen"] == -1250


def test_broadband_bill_without_verification_is_paid_like_at_a_kiosk(chat, running):
    # The amount owed and what is left are not told to someone not verified for that number.
    assert chat.say("帮我交一下13800138000的宽带费") == ["请问要缴多少钱？例如“50元”。"]
    assert chat.say("100") == [ASK_METHOD]
    assert chat.say("银行卡") == [confirm_text("138****8000", "宽带", "100.00", "银行卡")]
    assert chat.say("确认支付") == ["缴费成功！已为 138****8000 缴纳宽带费 100.00 元（银行卡）。"]
    assert running.backend_get("/v1/lines/13800138000/outstanding?type=宽带")["outstanding_fen"] == 0
