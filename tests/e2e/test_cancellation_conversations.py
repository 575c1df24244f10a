"""Cancelling packages through Rasa's REST channel: terms first, consent recorded, done once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

ASK_PHONE = "为了保护您的账户安全，请先提供您的11位手机号码。"
ASK_PASSWORD = "请输入该号码的6位服务密码。"
VIDEO_TERMS = (
    "您将退订视频会员流量包（20.00 元/月），2026-12-01 起生效，本月仍可正常使用。"
    "退订后，该业务剩余的 10GB 流量将清零，不予退还。"
    "确认退订请回复“确认退订”，不退了请回复“算了”。"
)


@pytest.fixture(autouse=True)
def fresh_backend(running):
    """Each cancellation starts from the seeded subscriptions."""
    running.reset_backend()


def next_month_first() -> str:
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1).isoformat()


def subscriptions(running):
    return {s["name"]: s["status"] for s in running.backend_get("/v1/lines/13800138000/subscriptions")["subscriptions"]}


def test_cancelling_the_video_pack_removes_it_from_the_package_list(chat, running):
    effective = next_month_first()
    assert chat.say("我要退订视频会员包") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    assert chat.say("123456") == ["张伟您好，身份验证成功。", VIDEO_TERMS.replace("2026-12-01", effective)]
    assert chat.say("确认退订") == [f"已为您退订视频会员流量包，{effective} 起生效。"]
    # A second 确认 (sent twice) changes nothing.
    assert chat.say("确认退订") == ["好的。请问还有什么可以帮您？"]
    assert subscriptions(running)["视频会员流量包"] == "cancel_pending"
    consents = running.backend_get("/v1/lines/13800138000/consents")["consents"]
    assert [(c["action"], c["shown_text"]) for c in consents] == [
        ("cancel_package", VIDEO_TERMS.replace("2026-12-01", effective))
    ]
    assert chat.say("查一下我的套餐") == [
        "您的主套餐是冰激凌套餐，月费 129.00 元，合约期至 2027-06-30，合约期内提前解约需支付违约金 200.00 元。",
        "主套餐与副卡 139****9000 共享。",
        "您目前没有订购增值业务。",
        f"视频会员流量包已办理退订，将于 {effective} 起停止。",
        "宽带：宽带200M（宽带账号 KD0755200001），月费 100.00 元。",
    ]


def test_declining_the_ice_cream_cancellation_keeps_it(chat, running):
    effective = next_month_first()
    assert chat.say("退订套餐") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    assert chat.say("123456") == [
        "张伟您好，身份验证成功。",
        "您名下可以在线退订的业务有：\n1. 冰激凌套餐（129.00 元/月）\n"
        "2. 视频会员流量包（20.00 元/月）\n请问要退订哪一项？",
    ]
    assert chat.say("第一个") == [
        f"您将退订冰激凌套餐（129.00 元/月），{effective} 起生效，本月仍可正常使用。"
        "该套餐合约期至 2027-06-30，现在退订需支付提前解约违约金 200.00 元，将从话费余额中扣除。"
        "退订后，该业务剩余的 12.5GB 流量将清零，不予退还。"
        "退订后，副卡 139****9000 将不再共享本套餐的流量和通话。"
        "确认退订请回复“确认退订”，不退了请回复“算了”。"
    ]
    assert chat.say("算了，不退了") == ["好的，已为您保留冰激凌套餐，没有做任何变更。"]
    assert subscriptions(running)["冰激凌套餐"] == "active"
    assert running.backend_get("/v1/lines/13800138000/balance")["balance_fen"] == 5830


def test_a_package_they_do_not_have_is_refused(chat):
    assert chat.say("帮我把彩铃退了") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    replies = chat.say("123456")
    assert replies[:2] == ["张伟您好，身份验证成功。", "您的号码没有订购彩铃，无需退订。"]
    assert replies[2].startswith("您名下可以在线退订的业务有：")
