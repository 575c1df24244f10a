"""The operator client's calls for plans, packs, 账单解读 and disputes, against the real backend."""

import pytest

from bot.clients.base import Rejected
from tests.actions.conftest import backend, operator_server  # noqa: F401 (fixtures)

ZHANG, LI = "13800138000", "13900139000"


async def consent(client, phone, action, subject):
    recorded = await client.record_consent(
        phone=phone,
        action=action,
        subject=subject,
        shown_text="……",
        confirmed=True,
        channel="rest",
        sender_id="client-test",
    )
    return recorded["id"]


async def test_advice_quote_and_a_change_repeated_under_one_consent(backend):  # noqa: F811
    advice = await backend.plan_options(ZHANG, "more_data")
    assert (advice["recommended"], [o["plan"]["code"] for o in advice["options"]]) == ("CX149", ["CX149"])
    terms = await backend.plan_change_quote(ZHANG, "CX149")
    consent_id = await consent(backend, ZHANG, "change_plan", terms["consent_subject"])
    first = await backend.change_plan(ZHANG, "CX149", consent_id)
    again = await backend.change_plan(ZHANG, "CX149", consent_id)
    assert (first["replayed"], again["replayed"], first["subscription_id"]) == (False, True, again["subscription_id"])
    assert [m["cycle"] for m in await backend.usage(ZHANG)] == ["2026-08", "2026-09", "2026-10", "2026-11"]


async def test_a_refused_change_carries_its_reason(backend):  # noqa: F811
    with pytest.raises(Rejected) as refused:
        await backend.plan_change_quote(ZHANG, "CY59")
    assert (refused.value.status, refused.value.body["reason"], refused.value.body["possible_from"]) == (
        409,
        "in_contract",
        "2027-07-01",
    )


async def test_pack_explanation_movements_and_dispute(backend):  # noqa: F811
    quote = await backend.pack_quote(ZHANG, "LLB6")
    consent_id = await consent(backend, ZHANG, "add_pack", quote["consent_subject"])
    assert (await backend.add_pack(ZHANG, "LLB6", consent_id))["replayed"] is False
    assert (await backend.add_pack(ZHANG, "LLB6", consent_id))["replayed"] is True
    assert (await backend.balance_movements(ZHANG))["balance_fen"] == 5230
    explained = await backend.explain_bill(ZHANG, "2026-10")
    assert [change["kind"] for change in explained["changes"]] == ["roaming", "overage", "charge_gone"]
    disputed = await backend.dispute_subscription(LI, 5, "没开过优酷会员")
    assert (disputed["refund_fen"], disputed["ticket"]["category"]) == (3000, "未经同意订购")
    with pytest.raises(Rejected) as confirmed:
        await backend.dispute_subscription(LI, 6, "彩铃不是我开的")
    assert confirmed.value.body["order"]["channel"] == "短信"


async def test_the_catalogue_names_each_product_with_its_terms(backend):  # noqa: F811
    catalogue = {p["code"]: p for p in await backend.catalogue()}
    assert (catalogue["LLB6"]["one_off"], catalogue["LLB6"]["pack_type"], catalogue["WP36"]["open_to_new"]) == (
        True,
        "data",
        False,
    )
    assert catalogue["CX149"]["contract_months"] == 12
