"""bot/rasa/nlu/entity_ruler.py: spaCy Matcher patterns over jieba tokens, then canonical values."""

import jieba
import pytest
from rasa.nlu.tokenizers.tokenizer import Token

from bot.rasa.nlu.entity_normaliser import normalise_entities
from bot.rasa.nlu.entity_ruler import TokenMatcher
from bot.rasa.nlu.lexicon import load_lexicon
from bot.rasa.nlu.text_normaliser import normalise_text
from tests.rasa.nlu.conftest import LEXICON_PATH, ROOT


@pytest.fixture(scope="module")
def lexicon():
    jieba.load_userdict(str(ROOT / "data" / "jieba" / "telecom.txt"))
    return load_lexicon(LEXICON_PATH)


@pytest.fixture(scope="module")
def matcher(lexicon):
    return TokenMatcher(lexicon)


def extract(text, lexicon, matcher):
    """What the pipeline does: normalise the text, tokenize, match, normalise the values."""
    text = normalise_text(text, lexicon.typos)
    tokens = [Token(word, start) for word, start, _end in jieba.tokenize(text)]
    found = [{**entity, "extractor": "TelecomEntityRuler"} for entity in matcher.match(text, tokens)]
    return [(e["entity"], e["value"]) for e in normalise_entities(text, found, lexicon)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # amounts in their many forms, with method and bill type around them
        ("帮我充五十块话费用vx", [("amount", "50"), ("bill_type", "话费"), ("payment_method", "微信")]),
        ("充50元话费", [("amount", "50"), ("bill_type", "话费")]),
        ("交一百五十元宽带费", [("amount", "150"), ("bill_type", "宽带")]),
        ("充三块五", [("amount", "3.5")]),
        ("充一百五", [("amount", "150")]),
        ("两百块钱用支付宝", [("amount", "200"), ("payment_method", "支付宝")]),
        ("￥30.5", [("amount", "30.5")]),
        ("我冲话费５０元", [("bill_type", "话费"), ("amount", "50")]),  # typo + full-width
        # phone numbers however typed
        ("号码是13800138000", [("phone_number", "13800138000")]),
        ("138 0013 8000", [("phone_number", "13800138000")]),
        ("138-0013-8000的话费", [("phone_number", "13800138000"), ("bill_type", "话费")]),
        ("一三八零零一三八零零零", [("phone_number", "13800138000")]),
        # months and tickets
        ("上个月账单", [("month", "上个月")]),
        ("10月份的话费", [("month", "10月"), ("bill_type", "话费")]),
        ("T20261120001进度", [("ticket_id", "T20261120001")]),
        # vocabularies, traditional characters included
        ("查詢話費餘額", [("balance_type", "话费")]),  # 话费余额 is one form: one entity
        ("冰淇淋套餐退了", [("package_name", "冰激凌套餐")]),
        ("视频会员包退了", [("package_name", "视频会员流量包")]),
        ("寬帶斷網了", [("bill_type", "宽带"), ("fault_type", "断网")]),
        ("家里上不了网", [("fault_type", "断网")]),
        ("今天天气怎么样", []),
    ],
)
def test_rule_based_entities(text, expected, lexicon, matcher):
    assert extract(text, lexicon, matcher) == expected


def test_rule_based_entity_wins_an_overlap_and_invalid_values_are_dropped(lexicon):
    text = "充五十块"
    entities = [
        {"entity": "amount", "start": 1, "end": 3, "value": "五十", "extractor": "DIETClassifier"},
        {"entity": "amount", "start": 1, "end": 4, "value": "五十块", "extractor": "TelecomEntityRuler"},
        {"entity": "month", "start": 0, "end": 1, "value": "充", "extractor": "DIETClassifier"},  # not a month
    ]
    assert normalise_entities(text, entities, lexicon) == [
        {"entity": "amount", "start": 1, "end": 4, "value": "50", "extractor": "TelecomEntityRuler"}
    ]


def test_a_learned_entity_without_overlap_is_kept(lexicon):
    text = "用网银付"
    entities = [{"entity": "payment_method", "start": 1, "end": 3, "value": "网银", "extractor": "DIETClassifier"}]
    assert normalise_entities(text, entities, lexicon) == [{**entities[0], "value": "银行卡"}]


@pytest.mark.parametrize(
    "intent, text, expected",
    [
        ("check_balance", "帮我查一下话费", [("balance_type", "话费")]),  # what is left
        ("query_bill", "帮我查一下话费", [("bill_type", "话费")]),  # what was charged
        ("pay_bill", "交话费", [("bill_type", "话费")]),
        ("check_balance", "宽带还有多少", [("bill_type", "宽带")]),  # 宽带 is no balance: left as it is
        ("greet", "话费", [("bill_type", "话费")]),
    ],
)
def test_a_word_of_two_vocabularies_takes_the_type_the_intent_asks_for(lexicon, intent, text, expected):
    entities = [{"entity": "bill_type", "start": text.index(expected[0][1]), "end": text.index(expected[0][1]) + 2}]
    entities[0].update(value=text[entities[0]["start"] : entities[0]["end"]], extractor="TelecomEntityRuler")
    found = normalise_entities(text, entities, lexicon, intent)
    assert [(e["entity"], e["value"]) for e in found] == expected
