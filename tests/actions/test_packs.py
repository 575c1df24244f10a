"""Adding a pack against a real backend: the packs on offer, a price named, 消费提醒 terms, the
consented order charged once even when the first answer is lost."""

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.consent import fingerprint
from actions.packs import (
    ActionAddPack,
    ActionAskPackConfirmed,
    ActionAskPackName,
    ValidatePackForm,
    by_price,
    kind_of,
    on_offer,
    reset_pack_order,
)
from bot.clients.base import Unavailable
from bot.clients.operator import OperatorClient
from tests.actions.conftest import make_tracker, rating_for, responses

ZHANG = {"identity_verified": True, "verified_phone": "13800138000"}
LI = {"identity_verified": True, "verified_phone": "13900139000"}
LLB6_TERMS = (
    "办理前请您确认（消费提醒）：\n"
    "· 6元1GB流量包：6.00元，含1GB全国流量；\n"
    "· 生效时间：办理后立即生效（2026-11-22）；\n"
    "· 有效期：当月有效，2026-11-30到期后自动失效，不续订、不结转；\n"
    "· 扣费：费用从话费余额中扣除，当前余额58.30元，办理后余额52.30元。\n"
    "确认办理请回复“确认办理”，不办请回复“算了”。"
)


def product(code, name, fee, pack_type="data", one_off=False, kind="addon", open_to_new=True):
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "monthly_fee_fen": fee,
        "pack_type": pack_type,
        "one_off": one_off,
        "open_to_new": open_to_new,
    }


CATALOGUE = [
    product("LL5G", "5G流量加油包", 3000),
    product("LLB6", "6元1GB流量包", 600, one_off=True),
    product("YY100", "语音加油包", 1000, "voice"),
    product("DX9", "抖音快手定向流量包", 900, "directional"),
    product("YK15", "优酷会员", 1500, "value_added"),
    product("OLD", "老流量包", 500, open_to_new=False),
    product("CY59", "畅越套餐", 5900, None, kind="main"),
]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("加个流量包", "data"),
        ("通话分钟不够 加个语音包", "voice"),
        ("办个抖音快手的定向包", "directional"),
        ("流量不够用", "data"),
    ],
)
def test_the_kind_of_pack_asked_for(text, kind):
    assert kind_of(text) == kind


def test_on_offer_puts_the_kind_asked_first_and_leaves_out_a_monthly_pack_already_held():
    offered = on_offer(CATALOGUE, held=["5G流量加油包", "6元1GB流量包"], kind="voice")
    assert [p["code"] for p in offered] == ["YY100", "LLB6", "DX9"]


def test_a_price_names_one_pack_of_the_kind_asked():
    packs = on_offer(CATALOGUE, held=[], kind="data")
    assert by_price(packs, "6", "data")["code"] == "LLB6"
    assert by_price(packs, "9", "data")["code"] == "DX9"  # the only 9-yuan pack, whatever its kind
    assert by_price(packs, "7", "data") is None
    assert by_price(packs, "1E+999", "data") is None


def opening(text, entities=()):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "add_pack"}, "entities": list(entities)}}


def tracker(slots, said="加个流量包", said_entities=(), **kwargs):
    built = make_tracker(slots, **kwargs)
    built.events = [opening(said, said_entities)]
    return built


async def test_the_list_shows_this_month_s_usage_and_points_to_a_bigger_plan(backend, domain):
    dispatcher = CollectingDispatcher()
    await ActionAskPackName(backend).run(dispatcher, tracker(ZHANG), domain)
    assert responses(dispatcher) == [
        {
            "response": "utter_ask_pack_name",
            "usage": "本月您已用流量27.5GB，套餐内含40GB。近3个月里有2个月流量超出套餐，"
            "长期不够用的话换个流量多的套餐可能更省钱，可以说“换套餐”看看。",
            "options": "1. 6元1GB流量包：6.00元，含1GB全国流量，立即生效，当月有效\n"
            "2. 20元10GB流量包：20.00元，含10GB全国流量，立即生效，当月有效\n"
            "3. 5G流量加油包：30.00元，含20GB全国流量，立即生效，按月续订\n"
            "4. 抖音快手定向流量包：9.00元，含20GB定向流量，立即生效，按月续订\n"
            "5. 语音加油包：10.00元，含100分钟国内通话，立即生效，按月续订",
        }
    ]


async def validate(backend, domain, slots, text="", intent="inform", entities=None, **kwargs):
    dispatcher = CollectingDispatcher()
    built = tracker(slots, text=text, intent=intent, entities=entities, active_loop="pack_form", **kwargs)
    result = await ValidatePackForm(backend).run(dispatcher, built, domain)
    return result, responses(dispatcher)


async def test_a_price_named_in_reply_to_the_list_picks_the_pack(backend, domain):
    slots = {**ZHANG, "requested_slot": "pack_name"}
    events, sent = await validate(
        backend, domain, slots, text="六块钱的", entities=[{"entity": "amount", "value": "6"}]
    )
    assert events == [
        SlotSet("pack_name", "6元1GB流量包"),
        SlotSet("pack_code", "LLB6"),
        SlotSet("pack_confirmed", None),
        SlotSet("pack_terms", None),
        SlotSet("requested_slot", "pack_confirmed"),
    ]
    assert sent == []


async def test_a_pack_named_before_identity_is_used_after_verification(backend, domain):
    slots = {"phone_number": "13800138000", "requested_slot": "service_password"}
    events, _ = await validate(
        backend,
        domain,
        slots,
        text="123456",
        said="办个六块钱的流量包",
        said_entities=[{"entity": "amount", "value": "6"}],
    )
    assert SlotSet("pack_name", "6元1GB流量包") in events
    assert SlotSet("requested_slot", "pack_confirmed") in events


async def test_a_monthly_pack_already_held_or_a_short_balance_is_refused(backend, domain):
    slots = {**ZHANG, "requested_slot": "pack_name"}
    named = [{"entity": "package_name", "value": "视频会员流量包"}]
    events, sent = await validate(backend, domain, slots, text="视频会员流量包", entities=named)
    assert sent == [{"response": "utter_pack_already_have", "name": "视频会员流量包"}]
    assert events == [SlotSet("pack_name", None), SlotSet("requested_slot", "pack_name")]
    named = [{"entity": "package_name", "value": "语音加油包"}]
    events, sent = await validate(backend, domain, {**LI, "requested_slot": "pack_name"}, text="语音包", entities=named)
    assert sent == [
        {"response": "utter_pack_short_balance", "name": "语音加油包", "price": "10.00", "balance": "-12.50"}
    ]


async def ask_terms(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionAskPackConfirmed(backend).run(dispatcher, make_tracker(slots), domain)
    return events, dispatcher.messages


async def test_the_terms_state_price_at_once_validity_and_balance(backend, domain):
    slots = {**ZHANG, "pack_name": "6元1GB流量包", "pack_code": "LLB6"}
    events, messages = await ask_terms(backend, domain, slots)
    assert [m["text"] for m in messages] == [LLB6_TERMS]
    assert events[0]["value"]["fingerprint"] == fingerprint(
        {"phone": "13800138000", "package_code": "LLB6", "package_name": "6元1GB流量包"}
    )
    _, messages = await ask_terms(backend, domain, {**ZHANG, "pack_name": "语音加油包", "pack_code": "YY100"})
    assert "· 续订：次月起每月自动续订并收取10.00元，不需要时可随时退订；\n" in messages[0]["text"]


class LostAnswer(OperatorClient):
    """The first order goes through but its answer is lost on the way back."""

    lost = 0

    async def add_pack(self, phone, package_code, consent_id):
        result = await super().add_pack(phone, package_code, consent_id)
        if not self.lost:
            self.lost += 1
            raise Unavailable("operator backend: connection reset")
        return result


async def test_a_confirmed_pack_is_charged_once_even_when_the_first_answer_is_lost(backend, domain):
    base = {**ZHANG, "pack_name": "6元1GB流量包", "pack_code": "LLB6"}
    events, _ = await ask_terms(backend, domain, base)
    slots = {**base, "pack_terms": events[0]["value"], "pack_confirmed": True}
    flaky = LostAnswer(backend.endpoint)
    try:
        dispatcher = CollectingDispatcher()
        events = await ActionAddPack(flaky).run(dispatcher, make_tracker(slots), domain)
    finally:
        await flaky.close()
    assert events == reset_pack_order() + rating_for("add_pack")
    assert responses(dispatcher) == [
        {"response": "utter_pack_added", "name": "6元1GB流量包", "price": "6.00", "lasts": "当月有效，2026-11-30到期"},
    ]
    assert (await backend.get_balance("13800138000"))["balance_fen"] == 5830 - 600
    consents = (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"]
    assert [(c["action"], c["shown_text"]) for c in consents] == [("add_pack", LLB6_TERMS)]


async def test_a_confirmation_for_other_slots_orders_nothing(backend, domain):
    base = {**ZHANG, "pack_name": "6元1GB流量包", "pack_code": "LLB6"}
    events, _ = await ask_terms(backend, domain, base)
    slots = {**base, "pack_code": "LLB20", "pack_terms": events[0]["value"], "pack_confirmed": True}
    dispatcher = CollectingDispatcher()
    assert await ActionAddPack(backend).run(dispatcher, make_tracker(slots), domain) == reset_pack_order()
    assert responses(dispatcher) == [{"response": "utter_pack_terms_changed"}]
    assert (await backend.get_balance("13800138000"))["balance_fen"] == 5830
