"""Bills and packages through Rasa's REST channel, with every process running."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

ASK_PHONE = "为了保护您的账户安全，请先提供您的11位手机号码。"
ASK_PASSWORD = "请输入该号码的6位服务密码。"


def month_name(months_back: int) -> str:
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    index = today.year * 12 + today.month - 1 - months_back
    return f"{index % 12 + 1}月" if index // 12 == today.year else f"{index // 12}年{index % 12 + 1}月"


def test_last_months_phone_bill_then_packages_without_a_second_check(chat):
    assert chat.say("帮我查下上个月的话费账单") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    assert chat.say("123456") == [
        "张伟您好，身份验证成功。",
        f"{month_name(1)}话费账单合计 211.60 元，已缴清。",
        "账单明细：\n· 冰激凌套餐月费 129.00 元\n· 视频会员流量包月费 20.00 元\n· 国际及港澳台漫游通话 12.60 元\n"
        "· 国内流量超出套餐10GB（5元/GB） 50.00 元",
    ]
    assert chat.say("我现在办的是什么套餐") == [
        "您的主套餐是冰激凌套餐，月费 129.00 元，合约期至 2027-06-30，合约期内提前解约需支付违约金 200.00 元。",
        "主套餐与副卡 139****9000 共享。",
        "已订购的增值业务：视频会员流量包（20.00 元/月）。",
        "宽带：宽带200M（宽带账号 KD0755200001），月费 100.00 元。",
    ]


def test_this_months_broadband_bill_is_unpaid(chat):
    assert chat.say("这个月宽带费出账了吗") == [ASK_PHONE]
    assert chat.say("138 0013 8000") == [ASK_PASSWORD]
    assert chat.say("123456") == [
        "张伟您好，身份验证成功。",
        f"{month_name(0)}宽带账单合计 100.00 元，尚有 100.00 元未缴。",
        "账单明细：\n· 宽带200M月功能费 100.00 元",
    ]
