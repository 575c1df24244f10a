"""What customers come for, through Rasa's REST channel, the web widget and WeChat: a plan change
advised from usage, a pack, 账单解读 and the dispute of an order never made."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.test_cancellation_conversations import ASK_PASSWORD, ASK_PHONE, next_month_first

pytestmark = pytest.mark.e2e

CONFIRM = "确认办理请回复“确认办理”，不办请回复“算了”。"


@pytest.fixture(autouse=True)
def fresh_backend(running):
    running.reset_backend()


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def first_of_months_ago(months: int) -> str:
    index = today().year * 12 + today().month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1).isoformat()


def month_end() -> str:
    first = dt.date.fromisoformat(next_month_first())
    return (first - dt.timedelta(days=1)).isoformat()


def pack_terms(balance: str, after: str) -> str:
    return (
        "办理前请您确认（消费提醒）：\n"
        "· 6元1GB流量包：6.00元，含1GB全国流量；\n"
        f"· 生效时间：办理后立即生效（{today().isoformat()}）；\n"
        f"· 有效期：当月有效，{month_end()}到期后自动失效，不续订、不结转；\n"
        f"· 扣费：费用从话费余额中扣除，当前余额{balance}元，办理后余额{after}元。\n" + CONFIRM
    )


def test_more_data_is_advised_from_usage_and_the_change_is_made_once(chat, running):
    effective = next_month_first()
    assert chat.say("流量老是不够用 想换个流量多点的套餐") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    verified, listing = chat.say("123456")
    assert verified == "张伟您好，身份验证成功。"
    assert listing == (
        "您现在的套餐是冰激凌套餐（129.00元/月）。近3个月您平均每月用流量45.33GB、通话233分钟，冰激凌套餐含30GB流量，"
        "其中2个月超出，超出部分平均每月多付30.00元。\n可以改办的套餐有：\n"
        "1. 5G畅享149套餐：149.00元/月，60GB流量、1000分钟通话，合约12个月；按您的用量预计每月约149.00元\n"
        "按您近几个月的用量，推荐5G畅享149套餐：月费多20.00元，但按您的用量不再超出，算下来每月约省10.00元。\n"
        "请问要改办哪一个？回复序号或套餐名；不办请回复“算了”。"
    )
    [terms] = chat.say("1")
    assert terms.startswith("办理前请您确认（消费提醒）：\n· 新套餐：5G畅享149套餐，月费149.00元")
    assert f"· 生效时间：{effective}起生效，本月仍按原套餐计费；" in terms and terms.endswith(CONFIRM)
    assert chat.say("确认办理") == [
        f"已为您办理套餐变更：5G畅享149套餐将于 {effective} 起生效，月费149.00元；本月仍按冰激凌套餐计费。",
    ]
    subscriptions = running.backend_get("/v1/lines/13800138000/subscriptions")["subscriptions"]
    assert [(s["name"], s["status"]) for s in subscriptions if s["kind"] == "main"] == [
        ("冰激凌套餐", "cancel_pending"),
        ("5G畅享149套餐", "scheduled"),
    ]
    consents = running.backend_get("/v1/lines/13800138000/consents")["consents"]
    assert [(c["action"], c["shown_text"]) for c in consents] == [("change_plan", terms)]


def test_a_downgrade_in_contract_is_refused_and_suanle_changes_nothing(chat, running):
    chat.say("我想换成畅越套餐")
    chat.say("13800138000")
    replies = chat.say("123456")
    assert replies[1] == (
        "畅越套餐的月费低于您现在的套餐，而您的合约期到 2027-06-30 为止，合约期内不能降档，2027-07-01 起可以改办。"
        "合约期内升档不受限制。"
    )
    assert chat.say("算了") == ["好的，已停止办理当前业务，没有做任何变更。"]
    assert running.backend_get("/v1/lines/13800138000/consents")["consents"] == []


def test_a_six_yuan_pack_is_shown_with_its_terms_and_charged_once(chat, running):
    assert chat.say("帮我办个六块钱的流量包") == [ASK_PHONE]
    assert chat.say("13800138000") == [ASK_PASSWORD]
    assert chat.say("123456") == ["张伟您好，身份验证成功。", pack_terms("58.30", "52.30")]
    assert chat.say("确认办理") == [
        f"已为您办理6元1GB流量包，立即生效，已从话费余额扣除6.00元，当月有效，{month_end()}到期。",
    ]
    # Confirmed twice more (a customer tapping again, a retried delivery): charged once.
    for _ in range(2):
        assert "已为您办理" not in "".join(chat.say("确认办理"))
    assert running.backend_get("/v1/lines/13800138000/balance")["balance_fen"] == 5230
    subscriptions = running.backend_get("/v1/lines/13800138000/subscriptions")["subscriptions"]
    assert [s["name"] for s in subscriptions].count("6元1GB流量包") == 1


def test_why_the_bill_went_up_is_explained_item_by_item(chat):
    chat.say("上个月话费怎么这么多")
    chat.say("13800138000")
    verified, *explained = chat.say("123456")
    assert verified == "张伟您好，身份验证成功。"
    assert any("流量超出套餐" in text and "元/GB" in text for text in explained), explained


def li_na_s_line(running):
    subscriptions = running.backend_get("/v1/lines/13900139000/subscriptions")["subscriptions"]
    balance = running.backend_get("/v1/lines/13900139000/balance")["balance_fen"]
    return {s["name"]: s["status"] for s in subscriptions}, balance


def test_an_add_on_never_ordered_is_cancelled_with_a_refund_complaint(chat, running):
    before, balance = li_na_s_line(running)
    chat.say("这个优酷会员我没开过 每月扣十五")
    chat.say("13900139000")
    verified, done, *_ = chat.say("654321")
    assert verified == "李娜您好，身份验证成功。"
    [ticket] = running.backend_get("/v1/lines/13900139000/tickets")["tickets"]
    assert done == (
        f"优酷会员是{first_of_months_ago(2)}经第三方推广订购的，系统中没有您的订购确认记录。"
        f"已为您退订，{today().isoformat()} 起停止，不收取违约金。"
        f"已登记“未经同意订购”投诉，工单号 {ticket['id']}，并为您申请退还已扣的 30.00 元，"
        "我们将在72小时内回复您。"
    )
    assert (ticket["category"], ticket["refund_fen"]) == ("未经同意订购", 3000)
    # 优酷会员 ended today (so no longer listed); the rest and the balance are untouched.
    assert before["优酷会员"] == "active"
    assert li_na_s_line(running) == ({k: v for k, v in before.items() if k != "优酷会员"}, balance)


async def test_a_dispute_of_an_order_on_record_goes_to_an_agent(running):
    import asyncio

    from tests.e2e.conftest import RestChat
    from tests.e2e.test_handoff_conversations import Console

    chat = RestChat(running.settings, sender="e2e-dispute-on-record")
    before = li_na_s_line(running)
    async with Console(running.settings.agent_url) as agent:
        await asyncio.to_thread(chat.say, "这个彩铃不是我开的 我从来没同意过")
        await asyncio.to_thread(chat.say, "13900139000")
        replies = await asyncio.to_thread(chat.say, "654321")
        assert replies[1] == (
            f"系统显示彩铃是{first_of_months_ago(2)}经短信订购的，记录为：客户回复短信“Y”确认订购。"
            "这种情况需要人工核实，我为您转接人工客服。"
        )
        assert replies[2].startswith("正在为您转接人工客服")
        mine = lambda e: [c for c in e["queued"] if c["sender_id"] == chat.sender]  # noqa: E731
        [case] = mine(await agent.wait_for("queue", mine))
        assert (case["reason"], case["reason_text"], case["priority"]) == (
            "dispute_order_confirmed",
            "客户否认订购，但系统有订购确认记录，需人工核实",
            2,
        )
        # The agent takes it and closes it, leaving the shared queue as it was for the other tests.
        await agent.session.post(f"/api/cases/{case['id']}/take")
        closed = await agent.session.post(f"/api/cases/{case['id']}/close", json={"note": "已核实短信确认记录"})
        assert closed.status == 200
    assert li_na_s_line(running) == before  # nothing cancelled, nothing refunded
    assert running.backend_get("/v1/lines/13900139000/tickets")["tickets"] == []


def test_the_pack_through_the_web_widget(running):
    from tests.e2e.test_webchat import Widget

    widget = Widget(running.settings)
    try:
        assert widget.say("流量不够了 加个流量包", 1) == [{"text": ASK_PHONE}]
        assert widget.say("13800138000", 1) == [{"text": ASK_PASSWORD}]
        verified, listing = widget.say("123456", 2)
        assert verified == {"text": "张伟您好，身份验证成功。"}
        assert listing["text"].splitlines()[2] == "1. 6元1GB流量包：6.00元，含1GB全国流量，立即生效，当月有效"
        assert [reply["title"] for reply in listing["quick_replies"]][:2] == ["6元1GB流量包", "20元10GB流量包"]
        [terms] = widget.say("6元1GB流量包", 1)
        assert terms["text"] == pack_terms("58.30", "52.30")
        assert [reply["title"] for reply in terms["quick_replies"]] == ["确认办理", "算了"]
        assert widget.say("算了", 1) == [{"text": "好的，已停止办理当前业务，没有做任何变更。"}]
    finally:
        widget.close()
    assert running.backend_get("/v1/lines/13800138000/balance")["balance_fen"] == 5830


def test_the_plan_change_through_wechat(running, request):
    from tests.e2e.test_wechat import WeChatServer

    wechat = WeChatServer(running, "o_offer_plan_change")
    assert wechat.say("换个便宜点的套餐") == ASK_PHONE
    assert wechat.say("13900139000") == ASK_PASSWORD
    listing = wechat.say("654321")
    assert "推荐大王卡：月费少40.00元，算下来每月约省30.00元。" in listing
    terms = wechat.say("大王卡")
    assert "· 新套餐：大王卡，月费19.00元" in terms and "· 合约期：无合约，之后可随时改办；" in terms
    done = wechat.say("确认办理")
    assert f"大王卡将于 {next_month_first()} 起生效" in done
