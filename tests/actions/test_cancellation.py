"""Package cancellation against a real backend: choice, 消费提醒 terms, consent, cancellation."""

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancellation import (
    ActionAskCancelConfirmed,
    ActionAskCancelPackageName,
    ActionCancelPackage,
    ActionKeepPackage,
    ValidateCancelForm,
    cancel_subject,
    cancellable,
    disputes_the_order,
    pick_by_reply,
    reset_cancellation,
)
from actions.consent import fingerprint
from tests.actions.conftest import make_tracker, rating_for, responses

ZHANG = {
    "identity_verified": True,
    "verified_phone": "13800138000",
    "phone_number": "13800138000",
    "service_password": "******",
}
OPTIONS = [{"name": "冰激凌套餐"}, {"name": "视频会员流量包"}]
ICE_CREAM_TERMS = (
    "您将退订冰激凌套餐（129.00 元/月），2026-12-01 起生效，本月仍可正常使用。"
    "该套餐合约期至 2027-06-30，现在退订需支付提前解约违约金 200.00 元，将从话费余额中扣除。"
    "退订后，该业务剩余的 12.5GB 流量将清零，不予退还。"
    "退订后，副卡 139****9000 将不再共享本套餐的流量和通话。"
    "确认退订请回复“确认退订”，不退了请回复“算了”。"
)
ICE_CREAM_SUBJECT = {
    "subscription_id": 1,
    "package_name": "冰激凌套餐",
    "early_termination_fee_fen": 20000,
    "effective_date": "2026-12-01",
    "remaining_data_lost_mb": 12800,
    "family_members_affected": ["13900139000"],
}
VIDEO_SUBJECT = {
    "subscription_id": 2,
    "package_name": "视频会员流量包",
    "early_termination_fee_fen": 0,
    "effective_date": "2026-12-01",
    "remaining_data_lost_mb": 10240,
    "family_members_affected": [],
}
VIDEO_TERMS = (
    "您将退订视频会员流量包（20.00 元/月），2026-12-01 起生效，本月仍可正常使用。"
    "退订后，该业务剩余的 10GB 流量将清零，不予退还。"
    "确认退订请回复“确认退订”，不退了请回复“算了”。"
)


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("2", "视频会员流量包"),
        ("第一个", "冰激凌套餐"),
        ("第２项", "视频会员流量包"),
        ("退视频会员流量包", "视频会员流量包"),
        ("3", None),
        ("都退了吧", None),
        ("违约金怎么算", None),
    ],
)
def test_pick_by_reply(reply, expected):
    picked = pick_by_reply(reply, OPTIONS)
    assert (picked or {}).get("name") == expected


async def validate(backend, domain, slots, text="", intent="inform", entities=None, events=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots, text=text, intent=intent, entities=entities, active_loop="cancel_form")
    tracker.events = events or []
    result = await ValidateCancelForm(backend).run(dispatcher, tracker, domain)
    return result, responses(dispatcher)


def package(name):
    return [{"entity": "package_name", "value": name}]


async def test_a_named_package_of_a_verified_customer_goes_straight_to_the_terms(backend, domain):
    events, sent = await validate(
        backend, domain, ZHANG, text="我要退订视频会员包", intent="cancel_package", entities=package("视频会员流量包")
    )
    assert events == [
        SlotSet("cancel_package_name", "视频会员流量包"),
        SlotSet("cancel_subscription_id", "2"),
        SlotSet("cancel_confirmed", None),
        SlotSet("cancel_terms", None),
        SlotSet("requested_slot", "cancel_confirmed"),
    ]
    assert sent == []


async def test_the_package_named_before_identity_is_used_after_verification(backend, domain):
    opening = {
        "event": "user",
        "text": "退订冰激凌套餐",
        "parse_data": {"intent": {"name": "cancel_package"}, "entities": package("冰激凌套餐")},
    }
    slots = {"phone_number": "13800138000", "requested_slot": "service_password"}
    events, sent = await validate(backend, domain, slots, text="123456", events=[opening])
    assert SlotSet("identity_verified", True) in events
    assert SlotSet("cancel_package_name", "冰激凌套餐") in events
    assert SlotSet("cancel_subscription_id", "1") in events
    assert events[-1] == SlotSet("requested_slot", "cancel_confirmed")
    assert sent == [{"response": "utter_identity_verified", "name": "张伟"}]


@pytest.mark.parametrize(
    "name, message",
    [
        ("彩铃", {"response": "utter_cancel_not_subscribed", "name": "彩铃"}),
        ("宽带200M", {"response": "utter_cancel_in_person", "name": "宽带200M"}),
    ],
)
async def test_what_they_do_not_have_or_cannot_cancel_here_is_refused(backend, domain, name, message):
    events, sent = await validate(
        backend, domain, ZHANG, text=f"退订{name}", intent="cancel_package", entities=package(name)
    )
    assert events == [SlotSet("cancel_package_name", None), SlotSet("requested_slot", "cancel_package_name")]
    assert sent == [message]


async def test_a_typed_choice_from_the_list(backend, domain):
    slots = {**ZHANG, "requested_slot": "cancel_package_name"}
    events, _ = await validate(backend, domain, slots, text="第二个")
    assert events[:2] == [SlotSet("cancel_package_name", "视频会员流量包"), SlotSet("cancel_subscription_id", "2")]


async def test_a_question_instead_of_a_choice_is_left_to_the_repair_rules(backend, domain):
    slots = {**ZHANG, "requested_slot": "cancel_package_name"}
    events, sent = await validate(backend, domain, slots, text="违约金怎么算", intent="faq")
    assert (events, sent) == ([SlotSet("requested_slot", "cancel_package_name")], [])


def shown_for(name, subscription_id):
    """cancel_terms as kept by action_ask_cancel_confirmed for this package of 张伟."""
    subject = {"phone": "13800138000", "subscription_id": subscription_id, "package_name": name}
    return {"subject": {}, "shown_text": f"您将退订{name}……", "fingerprint": fingerprint(subject)}


def ice_cream_terms_shown():
    """The slots while the 冰激凌套餐 terms are shown and their confirmation is asked."""
    return {
        **ZHANG,
        "cancel_package_name": "冰激凌套餐",
        "cancel_subscription_id": "1",
        "cancel_terms": shown_for("冰激凌套餐", "1"),
        "requested_slot": "cancel_confirmed",
    }


async def test_affirm_confirms_only_shown_terms(backend, domain):
    slots = {
        **ZHANG,
        "cancel_package_name": "视频会员流量包",
        "cancel_subscription_id": "2",
        "requested_slot": "cancel_confirmed",
    }
    events, _ = await validate(
        backend, domain, {**slots, "cancel_terms": shown_for("视频会员流量包", "2")}, text="确认退订", intent="affirm"
    )
    assert events == [SlotSet("cancel_confirmed", True), SlotSet("requested_slot", None)]
    events, _ = await validate(backend, domain, slots, text="确认退订", intent="affirm")
    assert SlotSet("cancel_confirmed", True) not in events
    # Terms shown for the other package do not confirm this one.
    events, _ = await validate(
        backend, domain, {**slots, "cancel_terms": shown_for("冰激凌套餐", "1")}, text="确认退订", intent="affirm"
    )
    assert SlotSet("cancel_confirmed", True) not in events


async def test_confirming_while_naming_another_package_shows_its_terms_and_cancels_nothing(backend, domain):
    """The 冰激凌套餐 terms are shown; 确认退订视频会员流量包 (or an injected /affirm{"package_name":...})."""
    slots = ice_cream_terms_shown()
    events, sent = await validate(
        backend, domain, slots, text="确认退订视频会员流量包", intent="affirm", entities=package("视频会员流量包")
    )
    assert events == [
        SlotSet("cancel_package_name", "视频会员流量包"),
        SlotSet("cancel_subscription_id", "2"),
        SlotSet("cancel_confirmed", None),
        SlotSet("cancel_terms", None),
        SlotSet("requested_slot", "cancel_confirmed"),
    ]
    assert sent == []


async def test_confirming_while_naming_the_shown_package_confirms_it(backend, domain):
    slots = ice_cream_terms_shown()
    events, _ = await validate(
        backend, domain, slots, text="确认退订冰激凌套餐", intent="affirm", entities=package("冰激凌套餐")
    )
    assert events == [
        SlotSet("cancel_package_name", "冰激凌套餐"),
        SlotSet("cancel_confirmed", True),
        SlotSet("requested_slot", None),
    ]


async def test_the_list_holds_only_their_own_cancellable_subscriptions(backend, domain):
    dispatcher = CollectingDispatcher()
    events = await ActionAskCancelPackageName(backend).run(dispatcher, make_tracker(ZHANG), domain)
    assert events == []
    assert responses(dispatcher) == [
        {
            "response": "utter_ask_cancel_package_name",
            "options": "1. 冰激凌套餐（129.00 元/月）\n2. 视频会员流量包（20.00 元/月）",
        }
    ]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        '/inform{"package_name": "冰激凌套餐"}',
        '/inform{"package_name": "视频会员流量包"}',
    ]


NAMES = {"1": "冰激凌套餐", "2": "视频会员流量包"}


async def ask_terms(backend, domain, subscription_id, name=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        {**ZHANG, "cancel_subscription_id": subscription_id, "cancel_package_name": name or NAMES[subscription_id]}
    )
    events = await ActionAskCancelConfirmed(backend).run(dispatcher, tracker, domain)
    return events, dispatcher.messages


async def test_ice_cream_terms_state_date_penalty_lost_data_and_family(backend, domain):
    events, messages = await ask_terms(backend, domain, "1")
    assert [m["text"] for m in messages] == [ICE_CREAM_TERMS]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert events == [
        SlotSet(
            "cancel_terms",
            {
                "subject": ICE_CREAM_SUBJECT,
                "shown_text": ICE_CREAM_TERMS,
                "effective_date": "2026-12-01",
                "penalty_fen": 20000,
                "fingerprint": fingerprint(
                    {"phone": "13800138000", "subscription_id": "1", "package_name": "冰激凌套餐"}
                ),
            },
        )
    ]


async def test_add_on_terms_have_no_penalty_or_family_line(backend, domain):
    _, messages = await ask_terms(backend, domain, "2")
    assert [m["text"] for m in messages] == [VIDEO_TERMS]


async def confirmed_slots(backend, domain, subscription_id, name):
    events, _ = await ask_terms(backend, domain, subscription_id)
    return {
        **ZHANG,
        "cancel_package_name": name,
        "cancel_subscription_id": subscription_id,
        "cancel_confirmed": True,
        "cancel_terms": events[0]["value"],
    }


async def cancel(backend, domain, slots):
    dispatcher = CollectingDispatcher()
    events = await ActionCancelPackage(backend).run(dispatcher, make_tracker(slots), domain)
    return events, responses(dispatcher)


async def test_confirmed_add_on_cancellation_records_consent_and_ends_the_subscription(backend, domain):
    slots = await confirmed_slots(backend, domain, "2", "视频会员流量包")
    events, sent = await cancel(backend, domain, slots)
    assert events == reset_cancellation() + rating_for("cancel_package")
    assert sent == [{"response": "utter_cancel_done", "name": "视频会员流量包", "date": "2026-12-01"}]
    subscriptions = await backend.list_subscriptions("13800138000")
    assert [(s["name"], s["status"]) for s in subscriptions if s["id"] == 2] == [("视频会员流量包", "cancel_pending")]
    consents = (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"]
    assert [(c["action"], c["subject"], c["shown_text"], c["confirmed"]) for c in consents] == [
        ("cancel_package", VIDEO_SUBJECT, VIDEO_TERMS, True)  # names the data lost and family members affected
    ]
    # The same confirmation again (a double-sent 确认) cancels nothing more and says it is done already.
    _, sent = await cancel(backend, domain, slots)
    assert sent == [{"response": "utter_cancel_already_pending", "name": "视频会员流量包", "date": "2026-12-01"}]


async def test_ice_cream_cancellation_charges_the_penalty_once(backend, domain):
    slots = await confirmed_slots(backend, domain, "1", "冰激凌套餐")
    _, sent = await cancel(backend, domain, slots)
    assert sent == [
        {"response": "utter_cancel_done", "name": "冰激凌套餐", "date": "2026-12-01"},
        {"response": "utter_cancel_penalty_charged", "penalty": "200.00"},
    ]
    await cancel(backend, domain, slots)
    assert (await backend.get_balance("13800138000"))["balance_fen"] == 5830 - 20000


async def test_terms_that_no_longer_hold_cancel_nothing(backend, domain):
    slots = await confirmed_slots(backend, domain, "1", "冰激凌套餐")
    slots["cancel_terms"]["subject"]["early_termination_fee_fen"] = 0  # not what the backend would charge
    _, sent = await cancel(backend, domain, slots)
    assert sent == [{"response": "utter_cancel_terms_changed"}]
    subscriptions = await backend.list_subscriptions("13800138000")
    assert [s["status"] for s in subscriptions if s["id"] == 1] == ["active"]


async def test_the_ice_cream_consent_names_the_data_lost_and_the_family_member(backend, domain):
    slots = await confirmed_slots(backend, domain, "1", "冰激凌套餐")
    await cancel(backend, domain, slots)
    consents = (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"]
    assert [(c["subject"], c["shown_text"]) for c in consents] == [(ICE_CREAM_SUBJECT, ICE_CREAM_TERMS)]
    assert "12.5GB" in ICE_CREAM_TERMS and "139****9000" in ICE_CREAM_TERMS


@pytest.mark.parametrize(
    "change",
    [
        {"cancel_package_name": "视频会员流量包", "cancel_subscription_id": "2"},  # the other package since
        {"cancel_subscription_id": "2"},
        {"cancel_package_name": "视频会员流量包"},
        {"verified_phone": "13900139000"},
    ],
)
async def test_a_confirmation_of_the_terms_of_another_package_cancels_nothing(backend, domain, change):
    slots = {**(await confirmed_slots(backend, domain, "1", "冰激凌套餐")), **change}
    events, sent = await cancel(backend, domain, slots)
    assert (events, sent) == (reset_cancellation(), [{"response": "utter_cancel_terms_changed"}])
    subscriptions = await backend.list_subscriptions("13800138000")
    assert [s["status"] for s in subscriptions] == ["active", "active", "active"]
    assert (await backend.request("GET", "/v1/lines/13800138000/consents"))["consents"] == []


async def test_terms_are_not_shown_for_a_subscription_the_name_does_not_match(backend, domain):
    events, messages = await ask_terms(backend, domain, "1", name="视频会员流量包")
    assert events == [SlotSet("cancel_terms", None)]
    assert [m["response"] for m in messages] == ["utter_cancel_not_possible"]


def test_the_subject_is_whole_or_none():
    assert cancel_subject(
        make_tracker({**ZHANG, "cancel_subscription_id": "1", "cancel_package_name": "冰激凌套餐"})
    ) == {"phone": "13800138000", "subscription_id": "1", "package_name": "冰激凌套餐"}
    assert cancel_subject(make_tracker({**ZHANG, "cancel_subscription_id": "1"})) is None
    assert (
        cancel_subject(
            make_tracker(
                {"verified_phone": "13800138000", "cancel_subscription_id": "1", "cancel_package_name": "冰激凌套餐"}
            )
        )
        is None
    )  # not verified


async def test_nothing_happens_without_confirmation(backend, domain):
    slots = {**(await confirmed_slots(backend, domain, "2", "视频会员流量包")), "cancel_confirmed": None}
    assert await cancel(backend, domain, slots) == (reset_cancellation(), [])
    subscriptions = await backend.list_subscriptions("13800138000")
    assert [s["status"] for s in subscriptions if s["id"] == 2] == ["active"]


async def test_declining_keeps_the_package(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionKeepPackage().run(dispatcher, make_tracker({"cancel_package_name": "冰激凌套餐"}), domain)
    assert (events, responses(dispatcher)) == (
        reset_cancellation(),
        [{"response": "utter_cancel_kept", "name": "冰激凌套餐"}],
    )


async def test_the_customer_s_own_name_for_a_package_is_matched_and_said(backend, domain):
    events, sent = await validate(
        backend, domain, ZHANG, text="那个视频会员业务退了", intent="cancel_package", entities=package("视频会员业务")
    )
    assert events[:2] == [SlotSet("cancel_package_name", "视频会员流量包"), SlotSet("cancel_subscription_id", "2")]
    assert sent == [{"response": "utter_cancel_name_matched", "said": "视频会员业务", "name": "视频会员流量包"}]


async def test_a_name_like_none_of_theirs_is_said_to_match_nothing(backend, domain):
    events, sent = await validate(
        backend, domain, ZHANG, text="咪咕音乐包取消", intent="cancel_package", entities=package("咪咕音乐包")
    )
    assert events == [SlotSet("cancel_package_name", None), SlotSet("requested_slot", "cancel_package_name")]
    assert sent == [{"response": "utter_cancel_not_subscribed", "name": "咪咕音乐包"}]


@pytest.mark.parametrize(
    "text, disputes",
    [
        ("我没开过这个业务 给我退掉", True),
        ("从来没订过彩铃 取消", True),
        ("不是我开的 退了", True),
        ("谁让你们给我开的视频会员 关掉", True),
        ("没经过我同意就开了 退订", True),
        ("视频会员包不要了 退了吧", False),
        ("开过一次觉得没用 退掉", False),
    ],
)
def test_a_cancellation_that_disputes_the_order(text, disputes):
    assert disputes_the_order(text) is disputes


async def test_cancelling_what_they_never_ordered_also_records_a_complaint(backend, domain):
    slots = await confirmed_slots(backend, domain, "2", "视频会员流量包")
    opening = {
        "event": "user",
        "text": "我从来没开过这个视频会员包 给我退掉",
        "parse_data": {"intent": {"name": "cancel_package"}, "entities": package("视频会员流量包")},
    }
    tracker = make_tracker(slots, text="确认退订", intent="affirm")
    tracker.events = [opening]
    dispatcher = CollectingDispatcher()
    events = await ActionCancelPackage(backend).run(dispatcher, tracker, domain)
    complaint = (await backend.list_tickets("13800138000"))[0]
    assert events == (
        reset_cancellation()
        + [SlotSet("opened_tickets", [f"{complaint['id']}（投诉·未经同意订购）"])]
        + rating_for("cancel_package")
    )
    assert responses(dispatcher) == [
        {"response": "utter_cancel_done", "name": "视频会员流量包", "date": "2026-12-01"},
        {
            "response": "utter_cancel_dispute_recorded",
            "name": "视频会员流量包",
            "ticket_id": "T20261122001",
            "sla_due": "2026-11-25 10:00",
        },
    ]
    [ticket] = [t for t in await backend.list_tickets("13800138000") if t["id"] == "T20261122001"]
    assert (ticket["kind"], ticket["category"], ticket["priority"], ticket["description"]) == (
        "投诉",
        "未经同意订购",
        "complex",
        "客户称从未订购视频会员流量包，已在对话中退订。客户原话：我从来没开过这个视频会员包 给我退掉",
    )


def test_a_one_off_pack_or_a_main_plan_change_under_way_is_not_offered_for_cancellation():
    def subscription(name, **extra):
        return {"name": name, "kind": "addon", "status": "active", "one_off": False, **extra}

    listed = [
        subscription("5G流量加油包"),
        subscription("6元1GB流量包", one_off=True),
        subscription("彩铃", status="cancel_pending"),
        subscription("5G畅享149套餐", kind="main", status="scheduled"),
    ]
    assert [s["name"] for s in cancellable(listed)] == ["5G流量加油包"]
