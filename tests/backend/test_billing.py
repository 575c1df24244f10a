"""Bills and idempotent payments, including concurrent requests."""

import asyncio

import pytest

from tests.backend.conftest import AUTH


def payment(key, amount_fen=5000, *, phone="13800138000", bill_type="话费", method="微信"):
    return {"idempotency_key": key, "phone": phone, "bill_type": bill_type, "amount_fen": amount_fen,
            "method": method}


async def pay(client, body):
    response = await client.post("/v1/payments", json=body, headers=AUTH)
    return response.status, await response.json()


async def balance(client, phone="13800138000"):
    response = await client.get(f"/v1/lines/{phone}/balance", headers=AUTH)
    return (await response.json())["balance_fen"]


async def test_itemised_bill_of_a_month(client):
    response = await client.get("/v1/lines/13800138000/bills?type=话费&month=2026-10", headers=AUTH)
    assert await response.json() == {
        "bills": [
            {
                "id": 2, "bill_type": "话费", "month": "2026-10", "account": None,
                "amount_fen": 16160, "paid_fen": 16160, "outstanding_fen": 0, "status": "paid",
                "items": [
                    {"description": "冰激凌套餐月费", "amount_fen": 12900},
                    {"description": "视频会员流量包月费", "amount_fen": 2000},
                    {"description": "国际及港澳台漫游通话", "amount_fen": 1260},
                ],
            }
        ]
    }


async def test_all_bills_newest_first(client):
    response = await client.get("/v1/lines/13800138000/bills", headers=AUTH)
    bills = (await response.json())["bills"]
    assert [(b["month"], b["bill_type"], b["status"]) for b in bills] == [
        ("2026-11", "宽带", "unpaid"), ("2026-11", "话费", "paid"),
        ("2026-10", "宽带", "paid"), ("2026-10", "话费", "paid"),
        ("2026-09", "宽带", "paid"), ("2026-09", "话费", "paid"),
    ]


@pytest.mark.parametrize("query", ["type=电费", "month=2026-13", "month=202611"])
async def test_bad_bill_queries(client, query):
    response = await client.get(f"/v1/lines/13800138000/bills?{query}", headers=AUTH)
    assert response.status == 400


async def test_top_up_and_replay(client):
    status, first = await pay(client, payment("key-topup-0001"))
    assert status == 201
    assert (first["balance_after_fen"], first["status"], first["replayed"]) == (10830, "succeeded", False)
    status, again = await pay(client, payment("key-topup-0001"))
    assert status == 200
    assert again == {**first, "replayed": True}
    assert await balance(client) == 10830
    response = await client.get("/v1/payments/key-topup-0001", headers=AUTH)
    assert (await response.json())["id"] == first["id"]


async def test_reused_key_with_other_parameters_is_409(client):
    await pay(client, payment("key-reuse-0001", 5000))
    status, body = await pay(client, payment("key-reuse-0001", 6000))
    assert (status, body["error"]) == (409, "idempotency_key_reused")
    status, body = await pay(client, payment("key-reuse-0001", 5000, method="支付宝"))
    assert status == 409
    assert await balance(client) == 10830


async def test_paying_off_arrears_settles_the_bill(client):
    status, body = await pay(client, payment("key-lina-0001", 1250, phone="13900139000", method="支付宝"))
    assert (status, body["balance_after_fen"]) == (201, 0)
    response = await client.get("/v1/lines/13900139000/bills?type=话费&month=2026-10", headers=AUTH)
    bill = (await response.json())["bills"][0]
    assert (bill["paid_fen"], bill["outstanding_fen"], bill["status"]) == (5900, 0, "paid")


async def test_broadband_payment_settles_the_unpaid_bill(client):
    response = await client.get("/v1/lines/13800138000/outstanding?type=宽带", headers=AUTH)
    assert await response.json() == {"bill_type": "宽带", "outstanding_fen": 10000}
    status, body = await pay(client, payment("key-bb-0001", 10000, bill_type="宽带", method="银行卡"))
    assert (status, body["outstanding_after_fen"], body["balance_after_fen"]) == (201, 0, None)
    response = await client.get("/v1/lines/13800138000/bills?type=宽带&month=2026-11", headers=AUTH)
    assert (await response.json())["bills"][0]["status"] == "paid"
    assert await balance(client) == 5830  # the prepaid balance is untouched


async def test_broadband_payment_above_what_is_owed_is_refused(client):
    status, body = await pay(client, payment("key-bb-0002", 10001, bill_type="宽带"))
    assert (status, body["error"], body["outstanding_fen"]) == (400, "invalid_input", 10000)
    # Nothing was recorded under that key: it can be used again correctly.
    status, _ = await pay(client, payment("key-bb-0002", 10000, bill_type="宽带"))
    assert status == 201


@pytest.mark.parametrize(
    "changes, status, field",
    [
        ({"amount_fen": 0}, 400, "amount_fen"),  # zero
        ({"amount_fen": -100}, 400, "amount_fen"),  # negative
        ({"amount_fen": 500001}, 400, "amount_fen"),  # above the 5,000 yuan bound
        ({"amount_fen": 50.5}, 400, "amount_fen"),  # not whole fen
        ({"amount_fen": "5000"}, 400, "amount_fen"),  # a string
        ({"amount_fen": True}, 400, "amount_fen"),  # a boolean
        ({"method": "现金"}, 400, "method"),  # unknown method
        ({"bill_type": "电费"}, 400, "bill_type"),
        ({"idempotency_key": "short"}, 400, "idempotency_key"),
        ({"phone": "1380013800"}, 400, "phone"),
        ({"phone": "13700137000"}, 404, None),  # unknown number
        ({"consent_id": 999}, 404, "consent_id"),  # no such consent
    ],
)
async def test_bad_payments_are_refused_and_charge_nothing(client, changes, status, field):
    got_status, body = await pay(client, {**payment("key-bad-0001"), **changes})
    assert got_status == status
    assert body.get("field") == field
    assert await balance(client) == 5830


async def test_twenty_concurrent_requests_with_one_key_charge_once(client):
    results = await asyncio.gather(*(pay(client, payment("key-concurrent-one")) for _ in range(20)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 19 + [201]
    assert len({body["id"] for _, body in results}) == 1
    assert await balance(client) == 5830 + 5000


async def test_twenty_concurrent_requests_with_different_keys_all_count(client):
    results = await asyncio.gather(
        *(pay(client, payment(f"key-concurrent-{n:03d}", 100 + n)) for n in range(20))
    )
    assert [status for status, _ in results] == [201] * 20
    assert await balance(client) == 5830 + sum(100 + n for n in range(20))
