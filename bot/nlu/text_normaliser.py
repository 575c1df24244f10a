"""TextNormaliser: rewrites the message text before tokenisation.

Full-width to half-width, traditional to simplified (OpenCC), spoken digit runs to digits
(一三八零零一三八零零零 -> 13800138000), and the lexicon's typo corrections
(冲话费 -> 充话费, 帐单 -> 账单). Every step keeps the text's length, so entity offsets of the
training data stay valid.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Mapping, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.lexicon import Lexicon, load_lexicon
from bot.nlu.storage import load_persisted_lexicon, persist_lexicon
from bot.normalise import spoken_digits_to_arabic, to_halfwidth


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified; character by character wherever a phrase would change length."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c) == 1 else o for o, c in ((o, _t2s().convert(o)) for o in text))


def normalise_text(text: str, typos: Mapping[str, str]) -> str:
    text = spoken_digits_to_arabic(to_simplified(to_halfwidth(text)))
    for wrong, right in typos.items():
        if wrong in text:
            text = text.replace(wrong, right)
    return text


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TextNormaliser(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"lexicon_path": "data/lexicon/telecom.yml"}

    @staticmethod
    def required_packages() -> List[Text]:
        # Rasa checks these both as import names and as distribution names; opencc's differ
        # (module `opencc`, distribution `opencc-python-reimplemented`), so none is declared.
        return []

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, lexicon: Lexicon) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._lexicon = lexicon

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> TextNormaliser:
        return cls(config, model_storage, resource, load_lexicon(config["lexicon_path"]))

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TextNormaliser:
        return cls(config, model_storage, resource, load_persisted_lexicon(model_storage, resource))

    def train(self, training_data: TrainingData) -> Resource:
        persist_lexicon(self._model_storage, self._resource, self._config["lexicon_path"])
        return self._resource

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT)
        if text:
            message.set(TEXT, normalise_text(text, self._lexicon.typos))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message)
        return messages
