"""账单解读 against a real backend: the sentences customers read, in full."""

import datetime as dt

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.bill_explanation import ActionExplainBill, asks_about_the_balance, explanation
from tests.actions.conftest import NO_DESK, make_tracker, rating_for

ZHANG = {"identity_verified": True, "verified_phone": "13800138000"}
LI = {"identity_verified": True, "verified_phone": "13900139000"}
RESET = [SlotSet("month", None), SlotSet("bill_type", None)]
TODAY = dt.date(2026, 11, 22)


async def explain(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    action = ActionExplainBill(backend, today=lambda: TODAY, desk=NO_DESK)
    events = await action.run(dispatcher, make_tracker(slots), domain)
    texts = [message.get("text") for message in dispatcher.messages if message.get("text")]
    asked = [message.get("response") for message in dispatcher.messages if message.get("response")]
    return events, texts, asked


async def test_zhang_wei_s_last_bill_names_the_roaming_and_the_overage_and_offers_a_bigger_plan(backend, domain):
    events, texts, asked = await explain(backend, domain, ZHANG)
    assert texts == [
        "10月话费 211.60 元，比9月多 22.30 元。",
        "主要变化：国际及港澳台漫游通话 12.60 元（9月没有）；"
        "流量超出套餐 10GB，按 5 元/GB 收了 50.00 元（9月超出 8GB，40.00 元）；"
        "9月的短信/彩信 0.30 元这个月没有了。",
        "您近3个月有2个月流量超出套餐，换个流量更多的套餐可能更划算：可以说“换个流量多的套餐”，"
        "我按您的用量为您比较；这个月不够用也可以说“加个流量包”。",
    ]
    assert asked == []  # the rating waits until the customer is done
    assert events == RESET + rating_for("explain_bill")


async def test_li_na_s_new_add_on_without_confirmation_is_named_with_its_order_and_the_dispute_offered(backend, domain):
    _, texts, _ = await explain(backend, domain, {**LI, "month": "9月"})
    assert texts == [
        "9月话费 79.00 元，比8月多 20.00 元。",
        "主要变化：新增优酷会员 15.00 元，是2026-09-01经第三方推广订购的；新增彩铃 5.00 元，是2026-09-01经短信订购的。",
        "如果优酷会员不是您本人订购的，可以说“我没订过优酷会员”，我为您退订并申请退还费用。",
    ]


async def test_a_month_without_a_bill_is_said_so(backend, domain):
    dispatcher = CollectingDispatcher()
    action = ActionExplainBill(backend, today=lambda: TODAY, desk=NO_DESK)
    events = await action.run(dispatcher, make_tracker({**ZHANG, "month": "3月"}), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_bill"]
    assert events == RESET


def test_a_bill_the_same_as_the_month_before_and_a_first_bill(domain):
    same = {
        "bill_type": "话费",
        "month": "2026-10",
        "previous_month": "2026-09",
        "amount_fen": 5900,
        "difference_fen": 0,
        "changes": [],
    }
    assert explanation(domain["responses"], same, [], TODAY) == ["10月话费 59.00 元，和9月一样。"]
    first = {**same, "previous_month": None}
    assert explanation(domain["responses"], first, [], TODAY) == ["10月话费 59.00 元，这是您的第一期账单。"]


async def test_a_balance_that_changed_is_explained_by_its_movements(backend, domain):
    built = make_tracker(ZHANG, text="我刚充了五十怎么变成四十五了", intent="explain_bill")
    built.events = [
        {"event": "user", "text": "我刚充了五十怎么变成四十五了", "parse_data": {"intent": {"name": "explain_bill"}}}
    ]
    dispatcher = CollectingDispatcher()
    events = await ActionExplainBill(backend, today=lambda: TODAY, desk=NO_DESK).run(dispatcher, built, domain)
    assert [m.get("text") for m in dispatcher.messages if m.get("text")] == [
        "本月以来您的余额变动：\n· 11月1日 冰激凌套餐月费 -129.00 元\n"
        "· 11月1日 视频会员流量包月费 -20.00 元\n当前余额 58.30 元。"
    ]
    assert events == RESET + rating_for("explain_bill")


def test_balance_words():
    assert [asks_about_the_balance(t) for t in ("我刚充了五十怎么变成四十五", "余额怎么少了", "话费咋这么多")] == [
        True,
        True,
        False,
    ]


async def balance_question(backend, domain, seen):
    said = "余额怎么少了"
    built = make_tracker({**ZHANG, "balance_seen": seen}, text=said, intent="explain_bill")
    built.events = [{"event": "user", "text": said, "parse_data": {"intent": {"name": "explain_bill"}}}]
    dispatcher = CollectingDispatcher()
    await ActionExplainBill(backend, today=lambda: TODAY, desk=NO_DESK).run(dispatcher, built, domain)
    return [m.get("text") for m in dispatcher.messages if m.get("text")]


async def test_the_balance_is_explained_from_the_moment_it_was_last_shown(backend, domain):
    seen = {"at": "2026-11-22T09:00:00+08:00", "balance_fen": 5830}
    assert await balance_question(backend, domain, seen) == [
        "您11月22日09:00查询时余额 58.30 元，此后没有充值或扣费，当前余额 58.30 元。"
    ]
    quote = await backend.pack_quote("13800138000", "LLB6")
    consent = await backend.record_consent(
        phone="13800138000",
        action="add_pack",
        subject=quote["consent_subject"],
        shown_text="……",
        confirmed=True,
        channel="rest",
        sender_id="test-user",
    )
    await backend.add_pack("13800138000", "LLB6", consent["id"])
    assert await balance_question(backend, domain, seen) == [
        "您11月22日09:00查询时余额 58.30 元，此后的变动：\n· 11月22日 6元1GB流量包 -6.00 元\n当前余额 52.30 元。"
    ]
    # A malformed slot (not what action_check_balance keeps) falls back to the month's movements.
    assert (await balance_question(backend, domain, {"at": 5}))[0].startswith("本月以来您的余额变动：")
