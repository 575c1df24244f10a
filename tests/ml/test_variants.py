"""bot/ml/variants.py: each variant is config.yml with exactly one change."""

import pytest
import yaml

from bot.ml.variants import E5, VARIANTS, derive
from tests.support import ROOT

CONFIG = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))


def names(config):
    return [component["name"] for component in config["pipeline"]]


def test_e5_adds_the_dense_featurizer_before_diet_and_nothing_else():
    derived = derive(CONFIG, "e5")
    expected = names(CONFIG)
    expected.insert(expected.index("DIETClassifier"), E5)
    assert names(derived) == expected and "policies" not in derived
    assert "policies" in CONFIG and E5 not in names(CONFIG)  # the original is untouched


def test_char_ngrams_change_only_the_character_vectoriser():
    derived = derive(CONFIG, "char-2-4")
    chars = [c for c in derived["pipeline"] if c.get("analyzer") == "char_wb"]
    words = [c for c in derived["pipeline"] if c["name"] == "CountVectorsFeaturizer" and "analyzer" not in c]
    assert [(c["min_ngram"], c["max_ngram"]) for c in chars] == [(2, 4)]
    assert words == [{"name": "CountVectorsFeaturizer"}]


def test_diet_and_dictionary_variants():
    diet = next(c for c in derive(CONFIG, "diet-256x2")["pipeline"] if c["name"] == "DIETClassifier")
    assert (diet["transformer_size"], diet["number_of_transformer_layers"], diet["epochs"]) == (256, 2, 60)
    jieba = next(c for c in derive(CONFIG, "no-jieba-dictionary")["pipeline"] if c["name"] == "JiebaTokenizer")
    assert jieba == {"name": "JiebaTokenizer"}


def test_every_variant_applies_to_config_yml_and_an_unknown_one_is_refused():
    for variant in VARIANTS:
        assert derive(CONFIG, variant) != {k: v for k, v in CONFIG.items() if k != "policies"}
    with pytest.raises(KeyError, match="unknown variant 'e6'"):
        derive(CONFIG, "e6")
