"""Changing the main plan against a real backend: advice from usage, contract rules, 消费提醒 terms,
the consented change once."""

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.consent import fingerprint
from actions.plans import (
    ActionAskPlanConfirmed,
    ActionAskPlanName,
    ActionChangePlan,
    ValidatePlanForm,
    reset_plan_change,
    want_of,
)
from tests.actions.conftest import make_tracker, rating_for, responses

ZHANG = {"identity_verified": True, "verified_phone": "13800138000"}
LI = {"identity_verified": True, "verified_phone": "13900139000"}
CX149_TERMS = (
    "办理前请您确认（消费提醒）：\n"
    "· 新套餐：5G畅享149套餐，月费149.00元，每月含60GB全国流量、1000分钟国内通话；\n"
    "· 生效时间：2026-12-01起生效，本月仍按原套餐计费；\n"
    "· 原套餐：冰激凌套餐于2026-11-30结束，其剩余的流量、通话等权益届时失效，不结转；\n"
    "· 合约期：12个月，至2027-11-30，合约期内不能降档；\n"
    "确认办理请回复“确认办理”，不办请回复“算了”。"
)


def opening(text, entities=()):
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": "change_plan"}, "entities": list(entities)},
    }


def tracker(slots, said="换套餐", **kwargs):
    built = make_tracker(slots, **kwargs)
    built.events = [opening(said)]
    return built


@pytest.mark.parametrize(
    "text, want",
    [
        ("换个便宜点的套餐", "cheaper"),
        ("套餐太贵了 有没有月租低一点的", "cheaper"),
        ("流量老是不够 换个流量多的套餐", "more_data"),
        ("每个月都超 升级一下套餐", "more_data"),
        ("换套餐", "any"),
        ("有没有大王卡", "any"),
    ],
)
def test_what_the_customer_asks_for_in_their_own_words(text, want):
    assert want_of(text) == want


async def test_more_data_lists_the_plans_with_their_cost_and_recommends_from_usage(backend, domain):
    dispatcher = CollectingDispatcher()
    await ActionAskPlanName(backend).run(dispatcher, tracker(ZHANG, said="流量老是不够 换个流量多的套餐"), domain)
    assert responses(dispatcher) == [
        {
            "response": "utter_ask_plan_name",
            "current": "冰激凌套餐",
            "fee": "129.00",
            "usage": "近3个月您平均每月用流量45.33GB、通话233分钟，冰激凌套餐含30GB流量，其中2个月超出，"
            "超出部分平均每月多付30.00元。",
            "options": "1. 5G畅享149套餐：149.00元/月，60GB流量、1000分钟通话，合约12个月；"
            "按您的用量预计每月约149.00元",
            "advice": "按您近几个月的用量，推荐5G畅享149套餐：月费多20.00元，但按您的用量不再超出，"
            "算下来每月约省10.00元。",
        }
    ]
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "5G畅享149套餐", "payload": '/inform{"package_name": "5G畅享149套餐"}'}
    ]


async def test_cheaper_inside_the_contract_says_when_a_downgrade_becomes_possible(backend, domain):
    dispatcher = CollectingDispatcher()
    await ActionAskPlanName(backend).run(dispatcher, tracker(ZHANG, said="换个便宜点的套餐"), domain)
    [sent] = responses(dispatcher)
    assert sent["options"].splitlines()[0] == (
        "1. 大王卡：19.00元/月，5GB流量、100分钟通话，无合约；按您的用量预计每月约170.67元"
        "（合约期内不能降档，2027-07-01起可办）（不含亲情副卡共享，1名副卡将不再共享）"
    )
    assert sent["advice"] == (
        "您的冰激凌套餐合约期到 2027-06-30 为止，合约期内不能降档，以上套餐 2027-07-01 起可以改办；"
        "升档不受限制，可以说“换个流量多的套餐”看看。"
    )
    assert dispatcher.messages[0]["buttons"] == []  # nothing refused is offered as a button


async def test_a_cheaper_plan_that_fits_is_recommended_with_the_saving(backend, domain):
    dispatcher = CollectingDispatcher()
    await ActionAskPlanName(backend).run(dispatcher, tracker(LI, said="换个便宜点的套餐"), domain)
    [sent] = responses(dispatcher)
    assert (sent["usage"], sent["options"], sent["advice"]) == (
        "近3个月您平均每月用流量7GB、通话82分钟，都在畅越套餐的10GB流量以内。",
        "1. 大王卡：19.00元/月，5GB流量、100分钟通话，无合约；按您的用量预计每月约29.00元",
        "按您近几个月的用量，推荐大王卡：月费少40.00元，算下来每月约省30.00元。",
    )


async def validate(backend, domain, slots, text="", intent="inform", entities=None, said="换套餐"):
    dispatcher = CollectingDispatcher()
    built = tracker(slots, said=said, text=text, intent=intent, entities=entities, active_loop="plan_form")
    result = await ValidatePlanForm(backend).run(dispatcher, built, domain)
    return result, responses(dispatcher)


def plan(name):
    return [{"entity": "package_name", "value": name}]


async def test_a_named_plan_goes_to_its_terms(backend, domain):
    events, sent = await validate(
        backend, domain, ZHANG, text="我要办畅享149", intent="change_plan", entities=plan("5G畅享149套餐")
    )
    assert events == [
        SlotSet("plan_name", "5G畅享149套餐"),
        SlotSet("plan_code", "CX149"),
        SlotSet("plan_confirmed", None),
        SlotSet("plan_terms", None),
        SlotSet("requested_slot", "plan_confirmed"),
    ]
    assert sent == []


@pytest.mark.parametrize(
    "name, message",
    [
        (
            "畅越套餐",
            {
                "response": "utter_plan_refused_in_contract",
                "name": "畅越套餐",
                "contract_end": "2027-06-30",
                "possible_from": "2027-07-01",
            },
        ),
        ("冰激凌套餐", {"response": "utter_plan_same", "name": "冰激凌套餐"}),
        ("沃派校园套餐", {"response": "utter_plan_closed", "name": "沃派校园套餐"}),
        ("神州行", {"response": "utter_plan_unknown", "name": "神州行"}),
    ],
)
async def test_a_plan_the_rules_do_not_allow_is_refused_with_the_reason(backend, domain, name, message):
    events, sent = await validate(backend, domain, ZHANG, text=name, intent="inform", entities=plan(name))
    assert events == [SlotSet("plan_name", None), SlotSet("requested_slot", "plan_name")]
    assert sent == [message]


async def test_a_typed_number_picks_from_the_list(backend, domain):
    slots = {**LI, "requested_slot": "plan_name"}
    events, _ = await validate(backend, domain, slots, text="1", said="换个便宜点的套餐")
    assert events[:2] == [SlotSet("plan_name", "大王卡"), SlotSet("plan_code", "DWK19")]


def shown(phone, code, name):
    subject = {"phone": phone, "plan_code": code, "plan_name": name}
    return {"subject": {}, "shown_text": "……", "fingerprint": fingerprint(subject)}


async def test_confirming_while_naming_another_plan_shows_its_terms_and_changes_nothing(backend, domain):
    slots = {
        **LI,
        "plan_name": "大王卡",
        "plan_code": "DWK19",
        "plan_terms": shown("13900139000", "DWK19", "大王卡"),
        "requested_slot": "plan_confirmed",
    }
    events, _ = await validate(backend, domain, slots, text="确认办理", intent="affirm")
    assert events == [SlotSet("plan_confirmed", True), SlotSet("requested_slot", None)]
    # 确认办理畅享99 (or an injected /affirm{"package_name": "5G畅享99套餐"}): its terms were never shown.
    events, sent = await validate(backend, domain, slots, text="确认", intent="affirm", entities=plan("5G畅享99套餐"))
    assert events == [
        SlotSet("plan_name", "5G畅享99套餐"),
        SlotSet("plan_code", "CX99"),
        SlotSet("plan_confirmed", None),
        SlotSet("plan_terms", None),
        SlotSet("requested_slot", "plan_confirmed"),
    ]
    assert sent == []


async def ask_terms(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionAskPlanConfirmed(backend).run(dispatcher, make_tracker(slots), domain)
    return events, dispatcher.messages


async def test_the_terms_state_fee_date_contract_and_what_stops(backend, domain):
    slots = {**ZHANG, "plan_name": "5G畅享149套餐", "plan_code": "CX149"}
    events, messages = await ask_terms(backend, domain, slots)
    assert [m["text"] for m in messages] == [CX149_TERMS]
    terms = events[0]["value"]
    assert (terms["shown_text"], terms["fingerprint"]) == (
        CX149_TERMS,
        fingerprint({"phone": "13800138000", "plan_code": "CX149", "plan_name": "5G畅享149套餐"}),
    )
    assert terms["subject"]["effective_date"] == "2026-12-01"


async def test_li_s_downgrade_states_no_contract_and_a_new_one_states_its_term(backend, domain):
    _, messages = await ask_terms(backend, domain, {**LI, "plan_name": "大王卡", "plan_code": "DWK19"})
    assert "· 合约期：无合约，之后可随时改办；\n" in messages[0]["text"]
    _, messages = await ask_terms(backend, domain, {**LI, "plan_name": "冰激凌套餐", "plan_code": "BJL129"})
    assert "· 合约期：24个月，至2028-11-30，合约期内不能降档；\n" in messages[0]["text"]


async def change(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionChangePlan(backend).run(dispatcher, make_tracker(slots), domain)
    return events, responses(dispatcher)


async def test_a_confirmed_change_is_recorded_with_the_text_shown_and_made_once(backend, domain):
    base = {**ZHANG, "plan_name": "5G畅享149套餐", "plan_code": "CX149"}
    events, _ = await ask_terms(backend, domain, base)
    slots = {**base, "plan_terms": events[0]["value"], "plan_confirmed": True}
    events, sent = await change(backend, domain, slots)
    assert events == reset_plan_change() + rating_for("change_plan")
    assert sent == [
        {
            "response": "utter_plan_changed",
            "plan": "5G畅享149套餐",
            "date": "2026-12-01",
            "fee": "149.00",
            "old_plan": "冰激凌套餐",
        },
    ]
    consents = (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"]
    assert [(c["action"], c["shown_text"], c["subject"]["plan_code"]) for c in consents] == [
        ("change_plan", CX149_TERMS, "CX149")
    ]
    # The same 确认 again changes nothing more and says the change is scheduled.
    _, sent = await change(backend, domain, slots)
    assert sent == [
        {"response": "utter_plan_already_scheduled", "name": "5G畅享149套餐", "effective_date": "2026-12-01"}
    ]
    scheduled = [s for s in await backend.list_subscriptions("13800138000") if s["status"] == "scheduled"]
    assert [s["name"] for s in scheduled] == ["5G畅享149套餐"]


async def test_a_confirmation_for_other_slots_changes_nothing(backend, domain):
    base = {**ZHANG, "plan_name": "5G畅享149套餐", "plan_code": "CX149"}
    events, _ = await ask_terms(backend, domain, base)
    slots = {**base, "plan_code": "CX99", "plan_terms": events[0]["value"], "plan_confirmed": True}
    _, sent = await change(backend, domain, slots)
    assert sent == [{"response": "utter_plan_terms_changed"}]
    assert (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"] == []
    _, sent = await change(backend, domain, {**base, "plan_terms": events[0]["value"]})  # never confirmed
    assert sent == []
