"""Disputing an order the customer says they never made (未经同意订购)."""

import asyncio

from tests.services.operator.conftest import AUTH
from tests.services.operator.test_plans import get

ZHANG, LI = "13800138000", "13900139000"
YOUKU, RING_TONE, LI_PLAN = 5, 6, 4


async def dispute(client, phone, subscription_id, statement="这个优酷会员我从来没开过，每月扣十五"):
    response = await client.post(
        f"/v1/lines/{phone}/subscriptions/{subscription_id}/dispute", json={"statement": statement}, headers=AUTH
    )
    return response.status, await response.json()


async def test_an_order_without_confirmation_is_cancelled_today_with_a_refund_complaint(client):
    status, body = await dispute(client, LI, YOUKU)
    assert status == 201
    ticket = body.pop("ticket")
    assert body == {
        "subscription_id": YOUKU,
        "package_name": "优酷会员",
        "order": {
            "ordered_at": "2026-09-01T14:37:00+08:00",
            "channel": "第三方推广",
            "confirmation": None,
            "consent_id": None,
        },
        "cancelled_on": "2026-11-22",
        "early_termination_fee_fen": 0,
        "refund_fen": 3000,  # September and October, 15 yuan each
        "replayed": False,
    }
    assert {key: ticket[key] for key in ("kind", "category", "priority", "status", "sla_due", "refund_fen")} == {
        "kind": "投诉",
        "category": "未经同意订购",
        "priority": "complex",
        "status": "待处理",
        "sla_due": "2026-11-25T10:00:00+08:00",
        "refund_fen": 3000,
    }
    assert ticket["description"] == (
        "客户称未订购优酷会员（2026-09-01经第三方推广订购，无客户确认记录），要求退订并退还已扣费用。"
        "客户陈述：这个优酷会员我从来没开过，每月扣十五"
    )
    subscriptions = (await get(client, f"/v1/lines/{LI}/subscriptions?include_ended=true"))["subscriptions"]
    assert [(s["name"], s["status"], s["cancel_effective"]) for s in subscriptions] == [
        ("畅越套餐", "active", None),
        ("优酷会员", "cancelled", "2026-11-22"),
        ("彩铃", "active", None),
    ]
    # Nothing else changed: no fee, no other subscription, the balance as it was.
    assert (await get(client, f"/v1/lines/{LI}/balance"))["balance_fen"] == -1250

    status, again = await dispute(client, LI, YOUKU, "再说一遍 我没开过")
    assert (status, again["replayed"], again["ticket"]["id"], again["refund_fen"]) == (200, True, ticket["id"], 3000)
    assert len((await get(client, f"/v1/lines/{LI}/tickets"))["tickets"]) == 1


async def test_an_order_with_a_confirmation_on_record_changes_nothing_and_says_so(client):
    status, body = await dispute(client, LI, RING_TONE, "彩铃不是我开的")
    assert (status, body["reason"]) == (409, "order_confirmed")
    assert body["order"] == {
        "ordered_at": "2026-09-01T09:05:00+08:00",
        "channel": "短信",
        "confirmation": "客户回复短信“Y”确认订购",
        "consent_id": None,
    }
    statuses = [s["status"] for s in (await get(client, f"/v1/lines/{LI}/subscriptions"))["subscriptions"]]
    assert statuses == ["active", "active", "active"]
    assert (await get(client, f"/v1/lines/{LI}/tickets"))["tickets"] == []


async def test_a_main_plan_or_another_line_s_subscription_is_not_disputed_here(client):
    status, body = await dispute(client, LI, LI_PLAN, "套餐不是我办的")
    assert (status, body["reason"]) == (409, "not_disputable")
    status, body = await dispute(client, LI, 2, "不是我的")  # 张伟's video pack
    assert (status, body["error"]) == (404, "not_found")
    status, body = await dispute(client, LI, YOUKU, "   ")
    assert (status, body["error"], body["field"]) == (400, "invalid_input", "statement")


async def test_three_disputes_at_once_open_one_complaint(client):
    results = await asyncio.gather(*(dispute(client, LI, YOUKU) for _ in range(3)))
    assert sorted(status for status, _ in results) == [200, 200, 201]
    assert len({body["ticket"]["id"] for _, body in results}) == 1
    tickets = (await get(client, f"/v1/lines/{LI}/tickets"))["tickets"]
    assert [(t["category"], t["refund_fen"]) for t in tickets] == [("未经同意订购", 3000)]
