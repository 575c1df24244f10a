"""Base class of our NLU components that carry the lexicon inside the trained model.

`create` reads `lexicon_path` (data/lexicon/telecom.yml) for training; `train` copies the file into
the model storage; `load` reads it back from there, so a model never depends on files outside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Dict, Text, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.nlu.lexicon import Lexicon, load_lexicon

FILE_NAME = "lexicon.yml"
C = TypeVar("C", bound="LexiconComponent")


class LexiconComponent(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"lexicon_path": "data/lexicon/telecom.yml"}

    def __init__(
        self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, lexicon: Lexicon
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.lexicon = lexicon

    @classmethod
    def create(
        cls: Type[C],
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        return cls(config, model_storage, resource, load_lexicon(config["lexicon_path"]))

    @classmethod
    def load(
        cls: Type[C],
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> C:
        with model_storage.read_from(resource) as directory:
            lexicon = load_lexicon(Path(directory) / FILE_NAME)
        return cls(config, model_storage, resource, lexicon)

    def train(self, training_data: TrainingData) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            shutil.copy2(self._config["lexicon_path"], Path(directory) / FILE_NAME)
        return self._resource
