"""Packs: terms before, then an order that works at once and charges once per consent."""

import asyncio

import pytest

from tests.services.operator.conftest import AUTH
from tests.services.operator.test_plans import consent, get

ZHANG, LI = "13800138000", "13900139000"
GB = 1024


async def order(client, phone, code, consent_id):
    response = await client.post(
        f"/v1/lines/{phone}/packs", json={"package_code": code, "consent_id": consent_id}, headers=AUTH
    )
    return response.status, await response.json()


async def consented(client, phone, code):
    quote = await get(client, f"/v1/lines/{phone}/pack-quote?package_code={code}")
    return quote, await consent(client, phone, quote["consent_subject"], action="add_pack")


async def test_one_off_pack_terms(client):
    quote = await get(client, f"/v1/lines/{ZHANG}/pack-quote?package_code=LLB6")
    terms = {
        "package_code": "LLB6",
        "package_name": "6元1GB流量包",
        "pack_type": "data",
        "price_fen": 600,
        "effective_date": "2026-11-22",
        "one_off": True,
        "valid_until": "2026-11-30",
        "renews_monthly": False,
        "data_mb": GB,
        "voice_min": 0,
    }
    assert quote == {
        **terms,
        "balance_fen": 5830,
        "balance_after_fen": 5230,
        "enough_balance": True,
        "consent_subject": terms,
    }


async def test_three_confirmations_of_a_monthly_pack_order_it_once(client):
    """Each concurrent request sees the others' pack as one the line has: the same consent's answer."""
    _, consent_id = await consented(client, ZHANG, "YY100")
    results = await asyncio.gather(*(order(client, ZHANG, "YY100", consent_id) for _ in range(3)))
    assert sorted(status for status, _ in results) == [200, 200, 201]
    assert len({body["subscription_id"] for _, body in results}) == 1
    assert (await get(client, f"/v1/lines/{ZHANG}/balance"))["balance_fen"] == 5830 - 1000


async def test_three_confirmations_add_the_pack_and_charge_the_balance_once(client, clock):
    _, consent_id = await consented(client, ZHANG, "LLB6")
    results = await asyncio.gather(*(order(client, ZHANG, "LLB6", consent_id) for _ in range(3)))
    assert sorted(status for status, _ in results) == [200, 200, 201]
    assert {body["subscription_id"] for _, body in results} == {7}
    balance = await get(client, f"/v1/lines/{ZHANG}/balance")
    assert (balance["balance_fen"], balance["data_mb"]["total"]) == (5230, 41 * GB)
    bill = (await get(client, f"/v1/lines/{ZHANG}/bills?type=话费&month=2026-11"))["bills"][0]
    assert bill["items"][-1] == {"description": "6元1GB流量包", "amount_fen": 600, "category": "pack"}
    assert (bill["amount_fen"], bill["paid_fen"]) == (15500, 15500)
    pack = (await get(client, f"/v1/lines/{ZHANG}/subscriptions"))["subscriptions"][-1]
    assert (pack["name"], pack["status"], pack["valid_until"], pack["order"]["channel"]) == (
        "6元1GB流量包",
        "active",
        "2026-11-30",
        "智能客服",
    )
    clock.advance(days=9)  # 2026-12-01: the one-off pack has lapsed
    balance = await get(client, f"/v1/lines/{ZHANG}/balance")
    assert balance["data_mb"]["total"] == 40 * GB
    names = [s["name"] for s in (await get(client, f"/v1/lines/{ZHANG}/subscriptions"))["subscriptions"]]
    assert "6元1GB流量包" not in names


async def test_a_monthly_pack_is_held_once(client):
    quote, consent_id = await consented(client, ZHANG, "LL5G")
    assert (quote["renews_monthly"], quote["valid_until"]) == (True, None)
    status, body = await order(client, ZHANG, "LL5G", consent_id)
    assert (status, body["replayed"]) == (201, False)
    body = await get(client, f"/v1/lines/{ZHANG}/pack-quote?package_code=LL5G", status=409)
    assert body["reason"] == "already_subscribed"
    assert (await get(client, f"/v1/lines/{ZHANG}/balance"))["balance_fen"] == 2830


async def test_a_balance_that_does_not_cover_the_pack_is_told_and_nothing_is_charged(client):
    quote, consent_id = await consented(client, LI, "LLB6")
    assert (quote["balance_after_fen"], quote["enough_balance"]) == (-1850, False)
    status, body = await order(client, LI, "LLB6", consent_id)
    assert (status, body["reason"], body["balance_fen"], body["price_fen"]) == (409, "insufficient_balance", -1250, 600)
    assert (await get(client, f"/v1/lines/{LI}/balance"))["balance_fen"] == -1250


async def test_a_consent_to_another_pack_or_price_charges_nothing(client):
    quote = await get(client, f"/v1/lines/{ZHANG}/pack-quote?package_code=LLB6")
    for change in ({"package_code": "LLB20"}, {"price_fen": 60}, {"valid_until": None}):
        consent_id = await consent(client, ZHANG, {**quote["consent_subject"], **change}, action="add_pack")
        status, body = await order(client, ZHANG, "LLB6", consent_id)
        assert (status, body["reason"]) == (409, "consent_terms_differ")
    assert (await get(client, f"/v1/lines/{ZHANG}/balance"))["balance_fen"] == 5830


@pytest.mark.parametrize("code, status", [("CL5", 404), ("BJL129", 404), ("KD200", 404), ("NOPE", 404), ("ll5g", 400)])
async def test_only_orderable_packs(client, code, status):
    body = await get(client, f"/v1/lines/{ZHANG}/pack-quote?package_code={code}", status=status)
    assert body["error"] == ("unknown_package" if status == 404 else "invalid_input")


async def test_a_one_off_pack_is_not_cancelled_it_lapses(client):
    _, consent_id = await consented(client, ZHANG, "LLB20")
    _, body = await order(client, ZHANG, "LLB20", consent_id)
    refused = await get(
        client, f"/v1/lines/{ZHANG}/subscriptions/{body['subscription_id']}/cancellation-quote", status=409
    )
    assert (refused["reason"], refused["valid_until"]) == ("one_off", "2026-11-30")
