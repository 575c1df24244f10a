"""Property tests: the normalisers and value parsers take any text a customer can send.

Any string (emoji, mixed scripts, control characters, lone surrogates, 5,000 characters) gives a
string or None, never an exception; what they return keeps the promises their callers rely on."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.privacy import mask_password, mask_personal_data
from bot.core.text import find_phone_number, find_service_password, has_digits, join_digit_groups, to_halfwidth
from bot.rasa.nlu.lexicon import load_lexicon
from bot.rasa.nlu.text_normaliser import normalise_text, to_simplified
from bot.rasa.nlu.values import PARSERS, canonical_value, parse_amount
from tests.rasa.nlu.conftest import LEXICON_PATH

LEXICON = load_lexicon(LEXICON_PATH)
# Text as customers type it: CJK, digits of every width, Chinese numerals, emoji, anything else.
customer_text = st.one_of(
    st.text(),
    st.text(
        alphabet=st.sampled_from(
            list(
                "0123456789０１２３４５６７８９一二三四五六七八九十百千万两幺零点块元毛角 ，。！？"
                "查话费流量密码交宽带號碼😀🙏\u3000\t\n-"
            )
        )
    ),
    st.text(min_size=4000, max_size=5000, alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E50)),
)


@given(customer_text)
def test_normalisers_take_any_text(text):
    assert isinstance(to_halfwidth(text), str)
    assert isinstance(join_digit_groups(text), str)
    assert isinstance(to_simplified(text), str)
    assert isinstance(normalise_text(text, LEXICON.typos), str)
    assert isinstance(has_digits(text), bool)


@given(customer_text)
def test_phone_and_password_finders_find_only_what_they_promise(text):
    phone = find_phone_number(text)
    assert phone is None or re.fullmatch(r"1[3-9]\d{9}", phone)
    password = find_service_password(text)
    assert password is None or re.fullmatch(r"\d{6}", password)


@given(customer_text)
def test_value_parsers_give_a_value_or_none(text):
    amount = parse_amount(text)
    assert amount is None or float(amount) > 0
    for entity in list(PARSERS) + ["bill_type", "payment_method", "fault_type"]:
        value = canonical_value(entity, text, LEXICON)
        assert value is None or isinstance(value, str)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("0123456789０１２３４５６７８９ -密码")), max_size=40))
def test_masking_leaves_no_run_of_six_digits(text):
    for masked in (mask_personal_data(text), mask_password(text)):
        assert not re.search(r"(?<!\d)\d{6}(?!\d)", masked.replace(" ", "x").replace("-", "x"))


slashy_text = st.text(
    alphabet=st.sampled_from(list('/／ \u3000\u00a0\t丿ノaffirm{}"500') + ["\u2044", "\u2215", "\u200b"]), max_size=12
)


@given(st.one_of(customer_text, slashy_text))
def test_the_normaliser_never_makes_an_intent_of_a_typed_message(text):
    if not text.strip().startswith("/"):  # the guard lets "/" through only as a button's exact payload
        assert not normalise_text(text, LEXICON.typos).strip().startswith("/")
