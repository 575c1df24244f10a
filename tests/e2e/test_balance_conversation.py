"""The balance conversation through Rasa's REST channel, with every process running."""

import pytest

from tests.e2e.conftest import ASK_RATING

pytestmark = pytest.mark.e2e


def test_balance_after_identity_check(chat):
    assert chat.say("查一下话费余额") == ["为了保护您的账户安全，请先提供您的11位手机号码。"]
    assert chat.say("13800138000") == ["请输入该号码的6位服务密码。"]
    assert chat.say("123456") == ["张伟您好，身份验证成功。", "您的话费余额为 58.30 元。"]
    # Verification lasts for the conversation: no second password prompt.
    assert chat.say("流量还剩多少") == ["本月流量共 40GB，已用 27.5GB，剩余 12.5GB。"]
    # The rating is asked once the customer is done, not after every answer.
    assert chat.say("好的 谢谢") == ["不客气，很高兴为您服务。", ASK_RATING]
    assert chat.say("5分") == ["感谢您的评价！还有什么可以帮您？"]
    assert chat.say("没有了") == ["好的。请问还有什么可以帮您？"]  # rated: not asked again


def test_wrong_password_then_arrears(chat):
    assert chat.say("我手机还有钱吗")[0] == "为了保护您的账户安全，请先提供您的11位手机号码。"
    assert chat.say("139 0013 9000") == ["请输入该号码的6位服务密码。"]
    assert chat.say("111111") == ["手机号码或服务密码不正确，您还可以再试 2 次。", "请输入该号码的6位服务密码。"]
    assert chat.say("654321") == [
        "李娜您好，身份验证成功。",
        "您的号码目前已欠费 12.50 元，请尽快充值以免停机。",
        "本月流量共 10GB，已用 3GB，剩余 7GB。",
        "本月通话共 200 分钟，已用 45 分钟，剩余 155 分钟。",
    ]
