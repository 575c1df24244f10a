"""bot/rasa/nlu/lexicon.py."""

import pytest

from bot.rasa.nlu.lexicon import Lexicon, LexiconError, load_lexicon
from tests.rasa.nlu.conftest import LEXICON_PATH


def test_the_shipped_lexicon_loads_and_keeps_lengths():
    lexicon = load_lexicon(LEXICON_PATH)
    assert set(lexicon.variants) == {"bill_type", "payment_method", "balance_type", "package_name", "fault_type"}
    assert all(len(wrong) == len(right) for wrong, right in lexicon.typos.items())
    assert lexicon.canonical("package_name", "冰激凌套餐") == "冰激凌套餐"


def test_length_changing_typo_is_refused():
    with pytest.raises(LexiconError, match="keep the length"):
        Lexicon.from_dict({"typos": {"宽带费": "宽带"}})


def test_a_form_with_two_values_is_refused():
    with pytest.raises(LexiconError, match="maps to both"):
        Lexicon.from_dict({"canonical_values": {"bill_type": {"话费": ["费"], "宽带": ["费"]}}})


def test_unknown_entity_has_no_canonical_value():
    assert Lexicon.from_dict({}).canonical("bill_type", "话费") is None


def test_the_training_cache_key_follows_the_lexicon_content(tmp_path):
    from bot.rasa.nlu.lexicon_component import LexiconComponent

    lexicon = tmp_path / "telecom.yml"
    lexicon.write_text("typos: {冲话费: 充话费}\n", encoding="utf-8")
    before = LexiconComponent.fingerprint_addon({"lexicon_path": str(lexicon)})
    assert LexiconComponent.fingerprint_addon({"lexicon_path": str(lexicon)}) == before
    lexicon.write_text("typos: {冲话费: 充话费, 留量: 流量}\n", encoding="utf-8")
    assert LexiconComponent.fingerprint_addon({"lexicon_path": str(lexicon)}) != before
