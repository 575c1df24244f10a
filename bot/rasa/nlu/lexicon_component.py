"""Base class of our NLU components that carry the lexicon inside the trained model.

`create` reads `lexicon_path` (data/lexicon/telecom.yml) for training; `train` copies the file into
the model storage; `load` reads it back from there, so a model never depends on files outside it.

Rasa's training cache keys a component on its config and inputs only: an edited lexicon, or new code
in bot/rasa/nlu/, would otherwise reuse the cached output of the old one. `fingerprint_addon` adds the
lexicon's content and that code to the key.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Text, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.nlu.lexicon import Lexicon, load_lexicon

FILE_NAME = "lexicon.yml"
C = TypeVar("C", bound="LexiconComponent")
_NLU_CODE = Path(__file__).resolve().parent  # bot/rasa/nlu
# The pure text code of bot/core that the normaliser and values use.
_CORE_CODE = tuple(_NLU_CODE.parents[1] / "core" / name for name in ("text.py", "product_names.py"))


def content_fingerprint(paths: Iterable[Path]) -> str:
    """sha256 over the names and bytes of the given files (directories: their *.py files, sorted)."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


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
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        lexicon = Path(config.get("lexicon_path") or cls.get_default_config()["lexicon_path"])
        return content_fingerprint([p for p in (lexicon, _NLU_CODE, *_CORE_CODE) if p.exists()])

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
