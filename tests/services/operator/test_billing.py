"""Bills and idempotent payments, including concurrent requests."""

import asyncio

import pytest

from tests.services.operator.conftest import AUTH


def payment(key, amount_fen=5000, *, phone="13800138000", bill_type="话费", method="微信"):
    return {"idempotency_key": key, "phone": phone, "bill_type": bill_type, "amount_fen": amount_fen, "method": method}


def subject_of(body):
    return {name: body[name] for name in ("phone", "bill_type", "amount_fen", "method")}


async def record_consent(client, subject, *, phone=None, action="payment", confirmed=True):
    response = await client.post(
        "/v1/consents",
        headers=AUTH,
        json={
            "phone": phone or subject["phone"],
            "action": action,
            "subject": subject,
            "shown_text": "请确认：……",
            "confirmed": confirmed,
            "channel": "rest",
            "sender_id": "tester",
        },
    )
    assert response.status == 201
    return (await response.json())["id"]


async def pay(client, body, *, consent=True):
    """POST a payment; unless told otherwise, under a fresh consent to exactly its subject."""
    if consent and "consent_id" not in body:
        body = {**body, "consent_id": await record_consent(client, subject_of(body))}
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
                "id": 2,
                "bill_type": "话费",
                "month": "2026-10",
                "account": None,
                "amount_fen": 21160,
                "paid_fen": 21160,
                "outstanding_fen": 0,
                "status": "paid",
                "items": [
                    {"description": "冰激凌套餐月费", "amount_fen": 12900, "category": "fee"},
                    {"description": "视频会员流量包月费", "amount_fen": 2000, "category": "fee"},
                    {"description": "国际及港澳台漫游通话", "amount_fen": 1260, "category": "roaming"},
                    {"description": "国内流量超出套餐10GB（5元/GB）", "amount_fen": 5000, "category": "overage"},
                ],
            }
        ]
    }


async def test_all_bills_newest_first(client):
    response = await client.get("/v1/lines/13800138000/bills", headers=AUTH)
    bills = (await response.json())["bills"]
    assert [(b["month"], b["bill_type"], b["status"]) for b in bills] == [
        ("2026-11", "宽带", "unpaid"),
        ("2026-11", "话费", "paid"),
        ("2026-10", "宽带", "paid"),
        ("2026-10", "话费", "paid"),
        ("2026-09", "宽带", "paid"),
        ("2026-09", "话费", "paid"),
        ("2026-08", "话费", "paid"),
    ]


@pytest.mark.parametrize("query", ["type=电费", "month=2026-13", "month=202611"])
async def test_bad_bill_queries(client, query):
    response = await client.get(f"/v1/lines/13800138000/bills?{query}", headers=AUTH)
    assert response.status == 400


async def test_top_up_and_replay(client):
    status, first = await pay(client, payment("key-topup-0001"))
    assert status == 201
    assert (first["balance_after_fen"], first["status"], first["replayed"]) == (10830, "succeeded", False)
    status, again = await pay(client, payment("key-topup-0001"))  # a retry, under a new consent
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
    assert (bill["paid_fen"], bill["outstanding_fen"], bill["status"]) == (7900, 0, "paid")


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
        ({"phone": "13700137000", "consent_id": 1}, 404, None),  # unknown number
        ({"consent_id": 999}, 404, "consent_id"),  # no such consent
        ({"consent_id": None}, 400, "consent_id"),  # no consent at all
        ({"consent_id": "1"}, 400, "consent_id"),  # not an id
    ],
)
async def test_bad_payments_are_refused_and_charge_nothing(client, changes, status, field):
    got_status, body = await pay(client, {**payment("key-bad-0001"), **changes}, consent=False)
    assert got_status == status
    assert body.get("field") == field
    assert await balance(client) == 5830


async def test_twenty_concurrent_requests_with_one_key_charge_once(client):
    consent_id = await record_consent(client, subject_of(payment("key-concurrent-one")))
    body = {**payment("key-concurrent-one"), "consent_id": consent_id}
    results = await asyncio.gather(*(pay(client, body) for _ in range(20)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 19 + [201]
    assert len({body["id"] for _, body in results}) == 1
    assert await balance(client) == 5830 + 5000


async def test_twenty_concurrent_requests_with_different_keys_all_count(client):
    results = await asyncio.gather(*(pay(client, payment(f"key-concurrent-{n:03d}", 100 + n)) for n in range(20)))
    assert [status for status, _ in results] == [201] * 20
    assert await balance(client) == 5830 + sum(100 + n for n in range(20))


async def test_a_payment_without_a_consent_is_refused_with_a_reason(client):
    status, body = await pay(client, payment("key-noconsent-01"), consent=False)
    assert (status, body) == (
        400,
        {
            "error": "invalid_input",
            "field": "consent_id",
            "reason": "consent_required",
            "message": "consent_id is required: the customer's confirmed consent to exactly this operation",
        },
    )
    assert await balance(client) == 5830


@pytest.mark.parametrize(
    "consented, confirmed, reason",
    [
        ({"amount_fen": 500}, True, "consent_terms_differ"),  # 5 yuan shown, 50 charged: the 10x charge
        ({"amount_fen": 50000}, True, "consent_terms_differ"),
        ({"method": "支付宝"}, True, "consent_terms_differ"),
        ({"bill_type": "宽带"}, True, "consent_terms_differ"),
        ({"phone": "13900139000"}, True, "consent_other_operation"),  # a consent of another number
        ({"extra": 1}, True, "consent_terms_differ"),  # a term more than the payment states
        ({}, False, "consent_declined"),
    ],
)
async def test_a_consent_to_other_terms_does_not_cover_the_payment(client, consented, confirmed, reason):
    body = payment("key-mismatch-01")
    subject = {**subject_of(body), **consented}
    consent_id = await record_consent(client, subject, confirmed=confirmed)
    status, answer = await pay(client, {**body, "consent_id": consent_id})
    assert (status, answer["error"], answer["field"], answer["reason"]) == (409, "conflict", "consent_id", reason)
    assert await balance(client) == 5830


async def test_a_consent_missing_a_term_does_not_cover_the_payment(client):
    body = payment("key-mismatch-02")
    subject = {key: value for key, value in subject_of(body).items() if key != "method"}
    status, answer = await pay(client, {**body, "consent_id": await record_consent(client, subject)})
    assert (status, answer["reason"]) == (409, "consent_terms_differ")


async def test_a_cancellation_consent_does_not_cover_a_payment(client):
    body = payment("key-mismatch-03")
    consent_id = await record_consent(client, subject_of(body), action="cancel_package")
    status, answer = await pay(client, {**body, "consent_id": consent_id})
    assert (status, answer["reason"]) == (409, "consent_other_operation")


async def test_one_consent_covers_one_payment(client):
    consent_id = await record_consent(client, subject_of(payment("key-once-0001")))
    assert (await pay(client, {**payment("key-once-0001"), "consent_id": consent_id}))[0] == 201
    status, answer = await pay(client, {**payment("key-once-0002"), "consent_id": consent_id})
    assert (status, answer["reason"]) == (409, "consent_used")
    assert await balance(client) == 5830 + 5000


async def test_concurrent_payments_under_one_consent_charge_once(client):
    consent_id = await record_consent(client, subject_of(payment("key-conc-c-000")))
    results = await asyncio.gather(
        *(pay(client, {**payment(f"key-conc-c-{n:03d}"), "consent_id": consent_id}) for n in range(10))
    )
    assert sorted(status for status, _ in results) == [201] + [409] * 9
    assert await balance(client) == 5830 + 5000
