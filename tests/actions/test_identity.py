"""Identity checks inside a task form, against a real backend."""

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.balance import ValidateBalanceForm
from actions.handoff import ValidateCallbackForm
from actions.identity import known_phone
from bot.clients.base import Endpoint, Unavailable
from bot.clients.operator import OperatorClient
from tests.actions.conftest import make_tracker, responses

FORM = "balance_form"


async def run_form(backend, domain, slots, text):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"requested_slot": None, **slots}, text=text, active_loop=FORM)
    events = await ValidateBalanceForm(backend).run(dispatcher, tracker, domain)
    return events, responses(dispatcher)


@pytest.mark.parametrize(
    "text, phone",
    [
        ("13800138000", "13800138000"),  # plain
        ("１３８００１３８０００", "13800138000"),  # full-width digits
        ("我的号码是138 0013 8000", "13800138000"),  # spaces inside, words around
        ("139-0013-9000", "13900139000"),  # dashes
    ],
)
async def test_typed_phone_numbers_are_taken_and_checked(backend, domain, text, phone):
    events, sent = await run_form(backend, domain, {"requested_slot": "phone_number"}, text)
    assert events == [SlotSet("phone_number", phone)]
    assert sent == []


async def test_invalid_phone_number_is_asked_again(backend, domain):
    events, sent = await run_form(backend, domain, {"requested_slot": "phone_number"}, "12345")
    assert events == [SlotSet("phone_number", None)]
    assert sent == [{"response": "utter_invalid_phone_number"}]


async def test_a_password_typed_at_the_number_question_is_never_echoed(backend, domain):
    events, sent = await run_form(backend, domain, {"requested_slot": "phone_number"}, "密码654321")
    assert events == [SlotSet("phone_number", None)]
    assert sent == [{"response": "utter_invalid_phone_number"}]
    assert domain["responses"]["utter_invalid_phone_number"] == [
        {"text": "这不是有效的11位手机号码，请重新输入，例如 13800138000。"}
    ]


def test_no_response_echoes_what_the_customer_typed(domain):
    # What was typed at the wrong question may be a password (issue #16): no reply repeats it.
    echoing = [
        name
        for name, variants in domain["responses"].items()
        if any("{value}" in variant.get("text", "") for variant in variants)
    ]
    assert echoing == []


async def test_an_unknown_number_is_not_told_apart_from_a_customer(backend, domain):
    # The number is taken as typed, like a customer's, with no lookup.
    events, sent = await run_form(backend, domain, {"requested_slot": "phone_number"}, "13700137000")
    assert (events, sent) == ([SlotSet("phone_number", "13700137000")], [])
    # Its password check answers exactly as a wrong password for a customer's number does.
    for phone in ("13700137000", "13800138000"):
        slots = {"requested_slot": "service_password", "phone_number": phone}
        events, sent = await run_form(backend, domain, slots, "111111")
        assert events == [SlotSet("service_password", None)]
        assert sent == [{"response": "utter_wrong_service_password", "attempts_left": 2}]
    assert domain["responses"]["utter_wrong_service_password"] == [
        {"text": "手机号码或服务密码不正确，您还可以再试 {attempts_left} 次。"}
    ]
    assert "utter_unknown_phone_number" not in domain["responses"]


async def test_known_phone_only_checks_the_form_of_the_number(backend):
    dispatcher = CollectingDispatcher()
    assert await known_phone(backend, "13700137000", dispatcher) == "13700137000"
    assert await known_phone(backend, "139-0013-9000", dispatcher, unchecked_if_down=True) == "13900139000"
    assert await known_phone(backend, "123456", dispatcher) is None
    assert responses(dispatcher) == [{"response": "utter_invalid_phone_number"}]


async def test_a_callback_number_is_taken_without_saying_whether_it_is_a_customer(backend, domain):
    dispatcher = CollectingDispatcher()
    for number in ("13700137000", "13800138000"):
        slot = await ValidateCallbackForm(backend).validate_callback_phone(number, dispatcher, make_tracker(), domain)
        assert slot == {"callback_phone": number}
    assert responses(dispatcher) == []


async def test_a_question_without_digits_is_not_taken_as_a_number(backend, domain):
    events, sent = await run_form(backend, domain, {"requested_slot": "phone_number"}, "转人工")
    assert (events, sent) == ([], [])


async def test_right_password_verifies_and_never_stores_it(backend, domain):
    slots = {"requested_slot": "service_password", "phone_number": "13800138000"}
    events, sent = await run_form(backend, domain, slots, "密码是１２３４５６")
    assert events == [
        SlotSet("service_password", "******"),
        SlotSet("identity_verified", True),
        SlotSet("identity_locked", False),
        SlotSet("verified_phone", "13800138000"),
        SlotSet("customer_name", "张伟"),
        SlotSet("requested_slot", None),
    ]
    assert sent == [{"response": "utter_identity_verified", "name": "张伟"}]


async def test_wrong_passwords_count_down_then_lock(backend, domain):
    slots = {"requested_slot": "service_password", "phone_number": "13800138000"}
    events, sent = await run_form(backend, domain, slots, "111111")
    assert events == [SlotSet("service_password", None)]
    assert sent == [{"response": "utter_wrong_service_password", "attempts_left": 2}]
    _, sent = await run_form(backend, domain, slots, "222222")
    assert sent == [{"response": "utter_wrong_service_password", "attempts_left": 1}]
    events, sent = await run_form(backend, domain, slots, "333333")
    assert events == [
        SlotSet("service_password", "******"),
        SlotSet("identity_locked", True),
        SlotSet("requested_slot", None),
    ]
    assert sent == [{"response": "utter_identity_locked", "minutes": 30}]


async def test_malformed_password_is_asked_again_without_a_backend_call(backend, domain):
    slots = {"requested_slot": "service_password", "phone_number": "13800138000"}
    events, sent = await run_form(backend, domain, slots, "12345")
    assert events == [SlotSet("service_password", None)]
    assert sent == [{"response": "utter_invalid_service_password"}]
    # No attempt was counted: the right password still verifies at the first try.
    events, _ = await run_form(backend, domain, slots, "123456")
    assert SlotSet("identity_verified", True) in events


async def test_verified_customer_is_not_asked_again(backend, domain):
    slots = {"identity_verified": True, "verified_phone": "13800138000", "phone_number": "13800138000"}
    events, sent = await run_form(backend, domain, slots, "查话费")
    assert events == [SlotSet("requested_slot", None)]
    assert sent == []


async def test_backend_down_gives_a_clear_message(domain, unused_tcp_port):
    dead = OperatorClient(Endpoint("operator backend", f"http://127.0.0.1:{unused_tcp_port}", "x"))
    try:
        slots = {"requested_slot": "service_password", "phone_number": "13800138000"}
        events, sent = await run_form(dead, domain, slots, "123456")
        assert events == [SlotSet("service_password", None)]
        assert sent == [{"response": "utter_backend_unavailable"}]
        with pytest.raises(Unavailable):
            await dead.get_line("13800138000")
    finally:
        await dead.close()


async def test_a_number_in_the_opening_request_is_taken(backend, domain):
    events, _ = await run_form(
        backend,
        domain,
        {},
        "查一下13800138000的话费",
    )
    assert events == []  # no entity from NLU in this tracker: nothing is guessed from free text
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        {"requested_slot": None},
        text="查一下13800138000的话费",
        entities=[{"entity": "phone_number", "value": "13800138000"}],
        active_loop=FORM,
    )
    events = await ValidateBalanceForm(backend).run(dispatcher, tracker, domain)
    assert events == [SlotSet("phone_number", "13800138000")]


async def test_a_wechat_follower_verifies_once_and_is_not_asked_the_number_again(backend, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        {"requested_slot": "service_password", "phone_number": "13800138000"}, text="123456", active_loop=FORM
    )
    tracker.sender_id = "wx:o_follower_1"
    await ValidateBalanceForm(backend).run(dispatcher, tracker, domain)
    assert await backend.wechat_phone("o_follower_1") == "13800138000"
    # A later conversation (a new session: nothing in the slots) starts from the bound number.
    later = make_tracker({"requested_slot": None}, text="查话费", intent="check_balance", active_loop=FORM)
    later.sender_id = "wx:o_follower_1"
    events = await ValidateBalanceForm(backend).run(CollectingDispatcher(), later, domain)
    assert events[0] == SlotSet("phone_number", "13800138000")
    # Other channels have no binding to look up.
    events, _ = await run_form(backend, domain, {}, "查话费")
    assert not [event for event in events if event["name"] == "phone_number"]


async def password_attempt(backend, domain, phone, password, sender_id="test-user", metadata=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        {"requested_slot": "service_password", "phone_number": phone}, text=password, active_loop=FORM
    )
    tracker.sender_id = sender_id
    if metadata is not None:
        tracker.latest_message["metadata"] = metadata
    events = await ValidateBalanceForm(backend).run(dispatcher, tracker, domain)
    return events, responses(dispatcher)


def stranger(index):
    return f"1370013{index:04d}"


async def test_a_conversation_spraying_passwords_is_stopped_without_locking_anyone(backend, domain):
    for index in range(3):
        for attempts_left in (2, 1):
            _, sent = await password_attempt(backend, domain, stranger(index), "111111", sender_id="wx:o_sprayer")
            assert sent == [{"response": "utter_wrong_service_password", "attempts_left": attempts_left}]
    events, sent = await password_attempt(backend, domain, "13800138000", "111111", sender_id="wx:o_sprayer")
    assert events == [SlotSet("service_password", None)]
    assert sent == [{"response": "utter_verification_rate_limited", "minutes": 60}]
    # The customer's own count was not touched, and other conversations are not limited.
    _, sent = await password_attempt(backend, domain, "13800138000", "111111", sender_id="web-other")
    assert sent == [{"response": "utter_wrong_service_password", "attempts_left": 2}]
    assert domain["responses"]["utter_verification_rate_limited"] == [
        {
            "text": "验证失败次数过多，为保护账户安全，请在 {minutes} 分钟后再试。"
            "如需帮助请回复“转人工”，不办了请回复“算了”。"
        }
    ]


async def test_an_address_spraying_from_many_conversations_is_stopped(backend, domain):
    metadata = {"client_address": "203.0.113.9"}
    for index in range(10):
        for attempts_left in (2, 1):
            _, sent = await password_attempt(
                backend, domain, stranger(index), "111111", sender_id=f"web-{index}", metadata=metadata
            )
            assert sent == [{"response": "utter_wrong_service_password", "attempts_left": attempts_left}]
    _, sent = await password_attempt(backend, domain, "13800138000", "123456", sender_id="web-new", metadata=metadata)
    assert sent == [{"response": "utter_verification_rate_limited", "minutes": 60}]
    # From another address the customer verifies as usual.
    _, sent = await password_attempt(
        backend, domain, "13800138000", "123456", sender_id="web-new", metadata={"client_address": "203.0.113.10"}
    )
    assert sent == [{"response": "utter_identity_verified", "name": "张伟"}]


@pytest.mark.parametrize(
    "metadata", [{}, {"client_address": None}, {"client_address": "not-an-ip"}, {"client_address": ["203.0.113.9"]}]
)
async def test_a_missing_or_malformed_client_address_is_ignored(backend, domain, metadata):
    events, sent = await password_attempt(backend, domain, "13800138000", "123456", metadata=metadata)
    assert SlotSet("identity_verified", True) in events
    assert sent == [{"response": "utter_identity_verified", "name": "张伟"}]
