"""The pure plan advice: overage rounding, months without history, and the contract rules."""

import datetime as dt

from bot.services.operator.plan_advice import MonthUsage, advise, overage_fen, plan_change_terms, refusal

GB = 1024
TODAY = dt.date(2026, 11, 22)


def plan(code, fee, data_gb, **extra):
    return {
        "code": code,
        "name": code,
        "kind": "main",
        "monthly_fee_fen": fee,
        "data_mb": data_gb * GB,
        "voice_min": 100,
        "open_to_new": True,
        "contract_months": None,
        "family_slots": 0,
        "overage_fen_per_gb": 500,
        **extra,
    }


def current(code="A", fee=5900, data_gb=10, contract_end=None, members=()):
    return {
        "id": 1,
        "package_code": code,
        "name": code,
        "monthly_fee_fen": fee,
        "data_mb": data_gb * GB,
        "contract_end": contract_end,
        "family_members": list(members),
    }


def test_overage_is_rounded_up_to_the_fen():
    assert [overage_fen(mb, 500) for mb in (0, -5, 1, 1024, 1536)] == [0, 0, 1, 500, 750]
    assert overage_fen(2048, None) == 0


def test_without_a_complete_month_nothing_is_expected_and_nothing_recommended():
    history = [MonthUsage("2026-11", False, 50 * GB, 10 * GB, 0, 100, 0)]
    advice = advise(current(), [plan("A", 5900, 10), plan("B", 9900, 60)], 0, history, TODAY)
    assert advice["usage"] == {
        "months": 0,
        "average_data_used_mb": 0,
        "average_voice_used_min": 0,
        "average_overage_fen": 0,
        "months_over": 0,
    }
    assert [(o["plan"]["code"], o["expected_overage_fen"]) for o in advice["options"]] == [("B", 0)]
    assert advice["recommended"] is None


def test_the_contract_refuses_a_downgrade_until_the_day_after_it_ends_but_never_an_upgrade():
    line = current(fee=12900, contract_end="2026-11-30")
    assert refusal(line, plan("C", 5900, 10), TODAY) == {
        "reason": "in_contract",
        "contract_end": "2026-11-30",
        "possible_from": "2026-12-01",
    }
    assert refusal(line, plan("C", 5900, 10), dt.date(2026, 12, 1)) is None
    assert refusal(line, plan("D", 19900, 100), TODAY) is None
    assert refusal(line, plan("E", 9900, 30, open_to_new=False), TODAY) == {"reason": "plan_closed"}


def test_an_upgrade_keeps_the_longer_of_the_two_contract_terms_and_names_the_family_lost():
    line = current(fee=12900, contract_end="2028-03-31", members=["13900139000", "13700137000"])
    terms = plan_change_terms(line, plan("F", 14900, 60, contract_months=12, family_slots=1), dt.date(2026, 12, 1))
    assert (terms["contract_end"], terms["family_members_lost"]) == ("2028-03-31", ["13700137000"])
    terms = plan_change_terms(current(), plan("G", 9900, 30, contract_months=12), dt.date(2026, 12, 1))
    assert (terms["contract_end"], terms["old_plan_last_day"]) == ("2027-11-30", "2026-11-30")
