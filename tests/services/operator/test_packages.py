"""Catalogue, subscriptions and consented cancellation."""

import pytest

from tests.services.operator.conftest import AUTH

ICE_CREAM_ID = 1
VIDEO_PACK_ID = 2


async def get_json(client, path, status=200):
    response = await client.get(path, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def consent(client, phone, subject, confirmed=True):
    response = await client.post(
        "/v1/consents",
        json={
            "phone": phone,
            "action": "cancel_package",
            "subject": subject,
            "shown_text": "退订提醒……",
            "confirmed": confirmed,
            "channel": "rest",
            "sender_id": "tester",
        },
        headers=AUTH,
    )
    assert response.status == 201
    return (await response.json())["id"]


async def cancel(client, subscription_id, consent_id):
    response = await client.post(
        f"/v1/lines/13800138000/subscriptions/{subscription_id}/cancel", json={"consent_id": consent_id}, headers=AUTH
    )
    return response.status, await response.json()


async def test_catalogue_and_lookup_by_name(client):
    body = await get_json(client, "/v1/packages")
    assert [(p["kind"], p["name"]) for p in body["packages"]] == [
        ("addon", "彩铃"),
        ("addon", "抖音快手定向流量包"),
        ("addon", "5G流量加油包"),
        ("addon", "20元10GB流量包"),
        ("addon", "6元1GB流量包"),
        ("addon", "视频会员流量包"),
        ("addon", "优酷会员"),
        ("addon", "语音加油包"),
        ("broadband", "宽带200M"),
        ("main", "冰激凌套餐"),
        ("main", "5G畅享149套餐"),
        ("main", "5G畅享99套餐"),
        ("main", "畅越套餐"),
        ("main", "大王卡"),
        ("main", "沃派校园套餐"),
    ]
    body = await get_json(client, "/v1/packages?name=冰激凌套餐")
    assert body["packages"][0]["monthly_fee_fen"] == 12900
    body = await get_json(client, "/v1/packages?name=不存在套餐", status=404)
    assert body["error"] == "unknown_package"


async def test_zhang_wei_subscriptions(client):
    body = await get_json(client, "/v1/lines/13800138000/subscriptions")
    summary = [
        (
            s["name"],
            s["kind"],
            s["monthly_fee_fen"],
            s["contract_end"],
            s["in_contract"],
            s["early_termination_fee_fen"],
            s["family_members"],
            s["broadband_account"],
            s["status"],
        )
        for s in body["subscriptions"]
    ]
    assert summary == [
        ("冰激凌套餐", "main", 12900, "2027-06-30", True, 20000, ["13900139000"], None, "active"),
        ("视频会员流量包", "addon", 2000, None, False, 0, [], None, "active"),
        ("宽带200M", "broadband", 10000, None, False, 0, [], "KD0755200001", "active"),
    ]


async def test_quote_states_fee_date_data_and_family(client):
    body = await get_json(client, f"/v1/lines/13800138000/subscriptions/{ICE_CREAM_ID}/cancellation-quote")
    assert body["effective_date"] == "2026-12-01"
    assert body["early_termination_fee_fen"] == 20000
    assert body["remaining_data_lost_mb"] == 12800
    assert body["family_members_affected"] == ["13900139000"]
    assert body["consent_subject"] == {
        "subscription_id": ICE_CREAM_ID,
        "package_name": "冰激凌套餐",
        "early_termination_fee_fen": 20000,
        "effective_date": "2026-12-01",
        "remaining_data_lost_mb": 12800,
        "family_members_affected": ["13900139000"],
    }


async def test_cancel_needs_a_matching_confirmed_consent(client):
    quote = await get_json(client, f"/v1/lines/13800138000/subscriptions/{ICE_CREAM_ID}/cancellation-quote")
    # No consent id at all.
    status, body = await cancel(client, ICE_CREAM_ID, None)
    assert (status, body["error"], body["field"], body["reason"]) == (
        400,
        "invalid_input",
        "consent_id",
        "consent_required",
    )
    # A consent shown with a different fee does not cover the cancellation.
    wrong = await consent(client, "13800138000", {**quote["consent_subject"], "early_termination_fee_fen": 0})
    status, body = await cancel(client, ICE_CREAM_ID, wrong)
    assert (status, body["error"]) == (409, "conflict")
    # A declined consent does not either.
    declined = await consent(client, "13800138000", quote["consent_subject"], confirmed=False)
    assert (await cancel(client, ICE_CREAM_ID, declined))[0] == 409
    # Nothing changed.
    body = await get_json(client, "/v1/lines/13800138000/balance")
    assert body["balance_fen"] == 5830


async def test_cancel_in_contract_charges_the_fee_once(client):
    quote = await get_json(client, f"/v1/lines/13800138000/subscriptions/{ICE_CREAM_ID}/cancellation-quote")
    consent_id = await consent(client, "13800138000", quote["consent_subject"])
    assert await cancel(client, ICE_CREAM_ID, consent_id) == (
        200,
        {
            "status": "cancel_pending",
            "cancel_effective": "2026-12-01",
            "early_termination_fee_fen": 20000,
            "replayed": False,
        },
    )
    # The same request again is a replay, not a second charge.
    assert await cancel(client, ICE_CREAM_ID, consent_id) == (
        200,
        {"status": "cancel_pending", "cancel_effective": "2026-12-01", "replayed": True},
    )
    balance = await get_json(client, "/v1/lines/13800138000/balance")
    assert balance["balance_fen"] == 5830 - 20000
    bills = await get_json(client, "/v1/lines/13800138000/bills?type=话费&month=2026-11")
    assert bills["bills"][0]["items"][-1] == {
        "description": "冰激凌套餐提前解约违约金",
        "amount_fen": 20000,
        "category": "penalty",
    }
    assert bills["bills"][0]["amount_fen"] == 14900 + 20000
    # A new quote for it is refused: it is already cancelled.
    body = await get_json(client, f"/v1/lines/13800138000/subscriptions/{ICE_CREAM_ID}/cancellation-quote", status=409)
    assert body["cancel_effective"] == "2026-12-01"


async def test_cancel_add_on_without_contract_costs_nothing(client):
    quote = await get_json(client, f"/v1/lines/13800138000/subscriptions/{VIDEO_PACK_ID}/cancellation-quote")
    assert (quote["early_termination_fee_fen"], quote["remaining_data_lost_mb"], quote["family_members_affected"]) == (
        0,
        10240,
        [],
    )
    consent_id = await consent(client, "13800138000", quote["consent_subject"])
    assert (await cancel(client, VIDEO_PACK_ID, consent_id))[0] == 200
    subs = await get_json(client, "/v1/lines/13800138000/subscriptions")
    assert [(s["name"], s["status"], s["cancel_effective"]) for s in subs["subscriptions"]][1] == (
        "视频会员流量包",
        "cancel_pending",
        "2026-12-01",
    )
    assert (await get_json(client, "/v1/lines/13800138000/balance"))["balance_fen"] == 5830


async def test_cannot_touch_another_lines_subscription(client):
    # Subscription 4 belongs to 李娜.
    body = await get_json(client, "/v1/lines/13800138000/subscriptions/4/cancellation-quote", status=404)
    assert body["error"] == "not_found"
    body = await get_json(client, "/v1/lines/13800138000/subscriptions/x/cancellation-quote", status=400)
    assert body["field"] == "subscription_id"


async def test_consents_are_listed_in_order(client):
    await consent(client, "13800138000", {"subscription_id": 2})
    await consent(client, "13800138000", {"subscription_id": 1}, confirmed=False)
    body = await get_json(client, "/v1/lines/13800138000/consents")
    assert [(c["id"], c["action"], c["subject"], c["confirmed"], c["created_at"]) for c in body["consents"]] == [
        (1, "cancel_package", {"subscription_id": 2}, True, "2026-11-22T10:00:00+08:00"),
        (2, "cancel_package", {"subscription_id": 1}, False, "2026-11-22T10:00:00+08:00"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"remaining_data_lost_mb": 0},  # the data lost was not stated
        {"family_members_affected": []},  # the family member who loses sharing was not named
        {"family_members_affected": ["13900139000", "13700137000"]},
        {"package_name": "视频会员流量包"},  # another package's name
        {"subscription_id": VIDEO_PACK_ID},  # a consent to cancel the other package
    ],
)
async def test_a_consent_must_name_the_data_lost_and_the_family_members(client, change):
    quote = await get_json(client, f"/v1/lines/13800138000/subscriptions/{ICE_CREAM_ID}/cancellation-quote")
    consent_id = await consent(client, "13800138000", {**quote["consent_subject"], **change})
    status, body = await cancel(client, ICE_CREAM_ID, consent_id)
    assert (status, body["error"], body["field"], body["reason"]) == (
        409,
        "conflict",
        "consent_id",
        "consent_terms_differ",
    )
    subscriptions = (await get_json(client, "/v1/lines/13800138000/subscriptions"))["subscriptions"]
    assert [s["status"] for s in subscriptions] == ["active", "active", "active"]


async def test_a_consent_without_the_lost_terms_does_not_cover_the_cancellation(client):
    """The terms of the round before (no data lost, no family members) are no longer enough."""
    quote = await get_json(client, f"/v1/lines/13800138000/subscriptions/{ICE_CREAM_ID}/cancellation-quote")
    old_terms = {
        key: quote["consent_subject"][key] for key in ("subscription_id", "early_termination_fee_fen", "effective_date")
    }
    status, _ = await cancel(client, ICE_CREAM_ID, await consent(client, "13800138000", old_terms))
    assert status == 409
    assert (await get_json(client, "/v1/lines/13800138000/balance"))["balance_fen"] == 5830
