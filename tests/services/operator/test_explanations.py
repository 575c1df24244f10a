"""账单解读: a bill against the month before, and the movements of the prepaid balance."""

from tests.services.operator.test_billing import pay, payment
from tests.services.operator.test_packs import consented, order
from tests.services.operator.test_plans import get

ZHANG, LI = "13800138000", "13900139000"
GB = 1024


async def test_zhang_wei_s_last_bill_names_the_overage_and_the_roaming(client):
    body = await get(client, f"/v1/lines/{ZHANG}/bills/2026-10/explanation")
    assert body == {
        "phone": ZHANG,
        "bill_type": "话费",
        "month": "2026-10",
        "previous_month": "2026-09",
        "amount_fen": 21160,
        "previous_amount_fen": 18930,
        "difference_fen": 2230,
        "changes": [
            {
                "kind": "roaming",
                "description": "国际及港澳台漫游通话",
                "amount_fen": 1260,
                "previous_fen": 0,
                "difference_fen": 1260,
            },
            {
                "kind": "overage",
                "description": "国内流量超出套餐10GB（5元/GB）",
                "amount_fen": 5000,
                "previous_fen": 4000,
                "difference_fen": 1000,
                "data_over_mb": 10 * GB,
                "previous_data_over_mb": 8 * GB,
                "fen_per_gb": 500,
            },
            {
                "kind": "charge_gone",
                "description": "短信/彩信",
                "amount_fen": 0,
                "previous_fen": 30,
                "difference_fen": -30,
            },
        ],
        "unchanged_fen": 14900,
    }


async def test_a_new_add_on_is_named_with_its_order(client):
    body = await get(client, f"/v1/lines/{LI}/bills/2026-09/explanation")
    assert (body["amount_fen"], body["previous_amount_fen"], body["unchanged_fen"]) == (7900, 5900, 5900)
    assert [(c["kind"], c["description"], c["difference_fen"]) for c in body["changes"]] == [
        ("new_subscription", "优酷会员月费", 1500),
        ("new_subscription", "彩铃月费", 500),
    ]
    assert body["changes"][0]["subscription"] == {
        "name": "优酷会员",
        "kind": "addon",
        "started_on": "2026-09-01",
        "order": {
            "ordered_at": "2026-09-01T14:37:00+08:00",
            "channel": "第三方推广",
            "confirmation": None,
            "consent_id": None,
        },
    }


async def test_a_month_without_a_bill_or_a_bad_month(client):
    assert (await get(client, f"/v1/lines/{ZHANG}/bills/2025-01/explanation", status=404))["field"] == "month"
    assert (await get(client, f"/v1/lines/{ZHANG}/bills/2026-13/explanation", status=400))["field"] == "month"
    assert (await get(client, f"/v1/lines/{ZHANG}/bills/2026-10/explanation?type=电费", status=400))["field"] == "type"


async def test_balance_movements_since_the_month_began(client, clock):
    clock.advance(hours=1)
    status, _ = await pay(client, payment("key-zhang-move-1", 5000))
    assert status == 201
    clock.advance(hours=1)
    _, consent_id = await consented(client, ZHANG, "LLB6")
    assert (await order(client, ZHANG, "LLB6", consent_id))[0] == 201
    body = await get(client, f"/v1/lines/{ZHANG}/balance-movements")
    assert body == {
        "since": "2026-11-01T00:00:00+08:00",
        "balance_fen": 5830 + 5000 - 600,
        "movements": [
            {
                "at": "2026-11-01T00:00:00+08:00",
                "kind": "charge",
                "description": "冰激凌套餐月费",
                "amount_fen": -12900,
            },
            {
                "at": "2026-11-01T00:00:00+08:00",
                "kind": "charge",
                "description": "视频会员流量包月费",
                "amount_fen": -2000,
            },
            {"at": "2026-11-22T11:00:00+08:00", "kind": "top_up", "description": "微信充值", "amount_fen": 5000},
            {"at": "2026-11-22T12:00:00+08:00", "kind": "charge", "description": "6元1GB流量包", "amount_fen": -600},
        ],
        "total_fen": -12900 - 2000 + 5000 - 600,
    }
    since = await get(client, f"/v1/lines/{ZHANG}/balance-movements?since=2026-11-22T11:30:00%2B08:00")
    assert [m["amount_fen"] for m in since["movements"]] == [-600]
    assert (await get(client, f"/v1/lines/{ZHANG}/balance-movements?since=yesterday", status=400))["field"] == "since"


async def test_usage_of_the_last_months(client):
    body = await get(client, f"/v1/lines/{LI}/usage?months=2")
    assert body["months"] == [
        {
            "cycle": "2026-09",
            "complete": True,
            "data_used_mb": 8 * GB,
            "data_allowance_mb": 10 * GB,
            "voice_used_min": 95,
            "voice_allowance_min": 200,
            "overage_fen": 0,
            "data_over_mb": 0,
        },
        {
            "cycle": "2026-10",
            "complete": True,
            "data_used_mb": 7 * GB,
            "data_allowance_mb": 10 * GB,
            "voice_used_min": 70,
            "voice_allowance_min": 200,
            "overage_fen": 0,
            "data_over_mb": 0,
        },
        {
            "cycle": "2026-11",
            "complete": False,
            "data_used_mb": 3 * GB,
            "data_allowance_mb": 10 * GB,
            "voice_used_min": 45,
            "voice_allowance_min": 200,
            "overage_fen": 0,
            "data_over_mb": 0,
        },
    ]
    assert (await get(client, f"/v1/lines/{LI}/usage?months=12", status=400))["field"] == "months"
