"""The pure bill comparison: the first bill of a line, a fee that changed, a subscription that ended."""

from bot.services.operator.bill_changes import compare


def bill(month, *items):
    return {
        "month": month,
        "amount_fen": sum(item["amount_fen"] for item in items),
        "items": list(items),
    }


def fee(subscription_id, description, fen):
    return {"description": description, "amount_fen": fen, "category": "fee", "subscription_id": subscription_id}


def test_a_first_bill_is_all_new():
    result = compare(bill("2026-10", fee(1, "畅越套餐月费", 5900)), None)
    assert result == {
        "month": "2026-10",
        "previous_month": None,
        "amount_fen": 5900,
        "previous_amount_fen": 0,
        "difference_fen": 5900,
        "changes": [
            {
                "kind": "new_subscription",
                "description": "畅越套餐月费",
                "amount_fen": 5900,
                "previous_fen": 0,
                "difference_fen": 5900,
            }
        ],
        "unchanged_fen": 0,
    }


def test_fee_changed_ended_and_one_off_charges_are_told_apart():
    before = bill("2026-09", fee(1, "畅越套餐月费", 5900), fee(2, "彩铃月费", 500))
    now = bill(
        "2026-10",
        fee(1, "畅越套餐月费（优惠到期）", 6900),
        {"description": "6元1GB流量包", "amount_fen": 600, "category": "pack", "subscription_id": 9},
    )
    result = compare(now, before)
    assert [(c["kind"], c["description"], c["difference_fen"]) for c in result["changes"]] == [
        ("fee_changed", "畅越套餐月费（优惠到期）", 1000),
        ("new_charge", "6元1GB流量包", 600),
        ("ended_subscription", "彩铃月费", -500),
    ]
    assert (result["difference_fen"], result["unchanged_fen"]) == (1100, 0)
