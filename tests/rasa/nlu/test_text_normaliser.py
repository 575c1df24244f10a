"""bot/rasa/nlu/text_normaliser.py: the text rewrites before tokenisation."""

import pytest

from bot.rasa.nlu.lexicon import load_lexicon
from bot.rasa.nlu.text_normaliser import blank_opening_greeting, normalise_text, to_simplified
from tests.rasa.nlu.conftest import LEXICON_PATH


@pytest.mark.parametrize(
    "text, expected",
    [
        ("查詢話費餘額", "查询话费余额"),  # traditional
        ("寬帶斷網了", "宽带断网了"),
        ("我冲话费５０元", "我充话费50元"),  # homophone typo + full-width digits
        ("帐单怎么这么贵", "账单怎么这么贵"),
        ("留量还剩多少", "流量还剩多少"),
        ("宽代坏了", "宽带坏了"),
        ("ＶＸ付款", "VX付款"),
        ("查话费", "查话费"),  # already clean
    ],
)
def test_normalise_text(text, expected):
    assert normalise_text(text, load_lexicon(LEXICON_PATH).typos) == expected


@pytest.mark.parametrize("text", ["查詢話費餘額", "臺灣", "乾淨的頭髮", "我想查一下這個月的帳單", "😀話費"])
def test_simplified_text_keeps_its_length(text):
    assert len(to_simplified(text)) == len(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('／affirm{"amount":"500"}', ' affirm{"amount":"500"}'),  # issue 16: ／ became "/" and an intent
        ("\u3000／ ／affirm", "    affirm"),
        ("／", " "),
        ("查询／话费", "查询/话费"),  # a slash inside stays
        ("/affirm", "/affirm"),  # a payload the guard let through stays one
        (" /affirm", " /affirm"),
        ('你好 /affirm{"amount":"500"}', '    affirm{"amount":"500"}'),  # a greeting blanked uncovers no slash
        ('喂／affirm{"amount":"500"}', '  affirm{"amount":"500"}'),
    ],
)
def test_normalise_text_never_makes_a_typed_message_an_intent(text, expected):
    assert normalise_text(text, load_lexicon(LEXICON_PATH).typos) == expected


def test_the_nlu_graph_reads_no_intent_from_a_look_alike_slash():
    """TextNormaliser, then Rasa's RegexMessageHandler (the end of every NLU graph), as Rasa runs them."""
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
    from rasa.shared.core.domain import Domain
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu.text_normaliser import TextNormaliser

    domain = Domain.from_yaml('version: "3.1"\nintents: [affirm]\nentities: [amount]')
    normaliser = TextNormaliser({}, None, None, load_lexicon(LEXICON_PATH))
    typed, button = Message({TEXT: '／affirm{"amount":"500"}'}), Message({TEXT: '/affirm{"amount":"50"}'})
    typed, button = RegexMessageHandler().process(normaliser.process([typed, button]), domain)
    assert typed.get(INTENT) is None and typed.get(TEXT) == ' affirm{"amount":"500"}'
    assert button.get(INTENT) == {"name": "affirm", "confidence": 1.0}
    assert [(e["entity"], e["value"]) for e in button.get("entities")] == [("amount", "50")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("你好呀 帮我看看流量", "    帮我看看流量"),  # the request is what gets classified
        ("您好问一下帮我查一下话费", "  问一下帮我查一下话费"),
        ("喂 你好 宽带断网了", "     宽带断网了"),
        ("亲 在吗 帮我查下账单", "     帮我查下账单"),
        ("hello 查话费余额", "      查话费余额"),
        ("你好呀客服", "你好呀客服"),  # only a greeting: kept
        ("您好，谢谢", "您好，谢谢"),  # too short to be a request of its own
        ("喂喂喂", "喂喂喂"),
        ("帮我查话费 你好", "帮我查话费 你好"),  # a greeting after the request is left alone
        ("客服电话是多少", "客服电话是多少"),  # 客服 alone is no greeting
        ("客服你好 电话是多少", "     电话是多少"),
    ],
)
def test_an_opening_greeting_before_a_request_is_blanked(text, expected):
    assert blank_opening_greeting(text) == expected
    assert len(blank_opening_greeting(text)) == len(text)
