"""bot/nlu/text_normaliser.py: the text rewrites before tokenisation."""

import pytest

from bot.nlu.lexicon import load_lexicon
from bot.nlu.text_normaliser import normalise_text, to_simplified
from tests.nlu.conftest import LEXICON_PATH


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
