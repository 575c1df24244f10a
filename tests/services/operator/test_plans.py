"""Plan options with advice from the line's own usage, and the consented plan change."""

import asyncio

import pytest

from tests.services.operator.conftest import AUTH

ZHANG, LI = "13800138000", "13900139000"
GB = 1024


async def get(client, path, status=200):
    response = await client.get(path, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def consent(client, phone, subject, *, action="change_plan", confirmed=True):
    body = {
        "phone": phone,
        "action": action,
        "subject": subject,
        "shown_text": "套餐变更提醒……",
        "confirmed": confirmed,
        "channel": "rest",
        "sender_id": "tester",
    }
    response = await client.post("/v1/consents", json=body, headers=AUTH)
    assert response.status == 201
    return (await response.json())["id"]


async def change(client, phone, plan_code, consent_id):
    response = await client.post(
        f"/v1/lines/{phone}/plan-change", json={"plan_code": plan_code, "consent_id": consent_id}, headers=AUTH
    )
    return response.status, await response.json()


async def test_zhang_wei_is_advised_the_bigger_plan_from_his_overage(client):
    body = await get(client, f"/v1/lines/{ZHANG}/plan-options")
    assert body["usage"] == {
        "months": 3,
        "average_data_used_mb": round(136 * GB / 3),
        "average_voice_used_min": 233,
        "average_overage_fen": 3000,
        "months_over": 2,
    }
    assert body["current"]["name"] == "冰激凌套餐"
    assert body["current"]["expected_monthly_fen"] == 15900
    summary = [
        (
            o["plan"]["code"],
            o["direction"],
            o["fee_difference_fen"],
            o["expected_overage_fen"],
            o["expected_monthly_fen"],
            o["family_members_lost"],
            o["refused"],
        )
        for o in body["options"]
    ]
    in_contract = {"reason": "in_contract", "contract_end": "2027-06-30", "possible_from": "2027-07-01"}
    assert summary == [
        ("DWK19", "downgrade", -11000, 15167, 17067, [LI], in_contract),
        ("CY59", "downgrade", -7000, 12667, 18567, [LI], in_contract),
        ("CX99", "downgrade", -3000, 5167, 15067, [], in_contract),
        ("CX149", "upgrade", 2000, 0, 14900, [], None),
    ]
    assert (body["recommended"], body["monthly_saving_fen"], body["scheduled"]) == ("CX149", 1000, None)
    assert [(m["cycle"], m["complete"], m["data_over_mb"], m["overage_fen"]) for m in body["history"]] == [
        ("2026-08", True, 0, 0),
        ("2026-09", True, 8 * GB, 4000),
        ("2026-10", True, 10 * GB, 5000),
        ("2026-11", False, 0, 0),
    ]


async def test_cheaper_and_more_data_narrow_the_options(client):
    cheaper = await get(client, f"/v1/lines/{LI}/plan-options?want=cheaper")
    assert [(o["plan"]["code"], o["refused"]) for o in cheaper["options"]] == [("DWK19", None)]
    # 李娜 uses 6-8 GB of her 10 GB: the 19 yuan plan would have charged 1-3 GB a month beyond its 5 GB
    # and still cost her 30 yuan less.
    assert cheaper["options"][0]["expected_overage_fen"] == round((1 + 3 + 2) * 500 / 3)
    assert (cheaper["recommended"], cheaper["monthly_saving_fen"]) == ("DWK19", 3000)
    more = await get(client, f"/v1/lines/{LI}/plan-options?want=more_data")
    assert [o["plan"]["code"] for o in more["options"]] == ["CX99", "BJL129", "CX149"]
    assert "WP36" not in [o["plan"]["code"] for o in (await get(client, f"/v1/lines/{LI}/plan-options"))["options"]]


async def test_upgrade_terms_name_fee_date_contract_and_what_stops(client):
    terms = await get(client, f"/v1/lines/{ZHANG}/plan-change-quote?plan_code=CX149")
    expected = {
        "from_subscription_id": 1,
        "from_plan": "冰激凌套餐",
        "plan_code": "CX149",
        "plan_name": "5G畅享149套餐",
        "monthly_fee_fen": 14900,
        "data_mb": 60 * GB,
        "voice_min": 1000,
        "effective_date": "2026-12-01",
        "old_plan_last_day": "2026-11-30",
        "contract_months": 12,
        "contract_end": "2027-11-30",
        "family_members_lost": [],
    }
    assert terms == {**expected, "consent_subject": expected}


async def test_a_downgrade_inside_the_contract_is_refused_with_the_date_it_becomes_possible(client):
    body = await get(client, f"/v1/lines/{ZHANG}/plan-change-quote?plan_code=CY59", status=409)
    assert body == {
        "error": "conflict",
        "message": "this plan change is not allowed",
        "reason": "in_contract",
        "contract_end": "2027-06-30",
        "possible_from": "2027-07-01",
    }


async def test_without_a_contract_a_downgrade_is_allowed_and_the_family_loss_is_named(client):
    terms = await get(client, f"/v1/lines/{LI}/plan-change-quote?plan_code=DWK19")
    assert (terms["monthly_fee_fen"], terms["contract_end"], terms["family_members_lost"]) == (1900, None, [])


@pytest.mark.parametrize(
    "code, status, error",
    [
        ("WP36", 409, "conflict"),
        ("BJL129", 409, "conflict"),
        ("NOPE1", 404, "unknown_package"),
        ("YK15", 404, "unknown_package"),
    ],
)
async def test_closed_same_and_unknown_plans(client, code, status, error):
    body = await get(client, f"/v1/lines/{ZHANG}/plan-change-quote?plan_code={code}", status=status)
    assert body["error"] == error


@pytest.mark.parametrize("query", ["plan_code=", "plan_code=cx149", "want=all"])
async def test_bad_queries_get_a_400(client, query):
    path = "plan-options" if query.startswith("want") else "plan-change-quote"
    body = await get(client, f"/v1/lines/{ZHANG}/{path}?{query}", status=400)
    assert body["error"] == "invalid_input"


async def test_the_consented_change_starts_next_month_once(client, clock):
    terms = await get(client, f"/v1/lines/{ZHANG}/plan-change-quote?plan_code=CX149")
    consent_id = await consent(client, ZHANG, terms["consent_subject"])
    results = await asyncio.gather(*(change(client, ZHANG, "CX149", consent_id) for _ in range(3)))
    assert sorted(status for status, _ in results) == [200, 200, 201]
    assert {body["subscription_id"] for _, body in results} == {7}
    assert [body["replayed"] for status, body in results if status == 201] == [False]
    subscriptions = (await get(client, f"/v1/lines/{ZHANG}/subscriptions"))["subscriptions"]
    assert [(s["name"], s["status"], s["cancel_effective"], s["started_on"]) for s in subscriptions] == [
        ("冰激凌套餐", "cancel_pending", "2026-12-01", "2025-07-01"),
        ("视频会员流量包", "active", None, "2026-03-01"),
        ("宽带200M", "active", None, "2024-05-01"),
        ("5G畅享149套餐", "scheduled", None, "2026-12-01"),
    ]
    new = subscriptions[-1]
    assert (new["contract_end"], new["family_members"], new["order"]["channel"], new["order"]["consent_id"]) == (
        "2027-11-30",
        [LI],
        "智能客服",
        consent_id,
    )
    assert (await get(client, f"/v1/lines/{ZHANG}/balance"))["data_mb"]["total"] == 40 * GB  # still this month's
    again = await get(client, f"/v1/lines/{ZHANG}/plan-change-quote?plan_code=CX99", status=409)
    assert (again["reason"], again["plan_name"], again["effective_date"]) == (
        "change_scheduled",
        "5G畅享149套餐",
        "2026-12-01",
    )

    clock.advance(days=10)  # 2026-12-02: the new plan is in force, the old one has ended
    subscriptions = (await get(client, f"/v1/lines/{ZHANG}/subscriptions"))["subscriptions"]
    assert [(s["name"], s["status"]) for s in subscriptions] == [
        ("视频会员流量包", "active"),
        ("宽带200M", "active"),
        ("5G畅享149套餐", "active"),
    ]
    assert (await get(client, f"/v1/lines/{ZHANG}/balance"))["data_mb"]["total"] == 70 * GB


@pytest.mark.parametrize(
    "change_terms, reason",
    [
        ({"plan_code": "CX99"}, "consent_terms_differ"),  # consented to another plan
        ({"effective_date": "2027-01-01"}, "consent_terms_differ"),
        ({"contract_end": None}, "consent_terms_differ"),  # the contract term was not shown
    ],
)
async def test_a_consent_to_other_terms_changes_nothing(client, change_terms, reason):
    terms = await get(client, f"/v1/lines/{ZHANG}/plan-change-quote?plan_code=CX149")
    consent_id = await consent(client, ZHANG, {**terms["consent_subject"], **change_terms})
    status, body = await change(client, ZHANG, "CX149", consent_id)
    assert (status, body["reason"]) == (409, reason)
    names = [s["name"] for s in (await get(client, f"/v1/lines/{ZHANG}/subscriptions"))["subscriptions"]]
    assert names == ["冰激凌套餐", "视频会员流量包", "宽带200M"]


async def test_a_declined_or_other_operations_consent_changes_nothing(client):
    terms = await get(client, f"/v1/lines/{ZHANG}/plan-change-quote?plan_code=CX149")
    declined = await consent(client, ZHANG, terms["consent_subject"], confirmed=False)
    status, body = await change(client, ZHANG, "CX149", declined)
    assert (status, body["reason"]) == (409, "consent_declined")
    payment = await consent(client, ZHANG, terms["consent_subject"], action="payment")
    status, body = await change(client, ZHANG, "CX149", payment)
    assert (status, body["reason"]) == (409, "consent_other_operation")
    status, body = await change(client, ZHANG, "CX149", None)
    assert (status, body["reason"]) == (400, "consent_required")
