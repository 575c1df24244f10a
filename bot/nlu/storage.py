"""Copy the lexicon into the trained model, so a model never depends on files outside it."""

import shutil
from pathlib import Path
from typing import Text

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from bot.nlu.lexicon import Lexicon, load_lexicon

FILE_NAME = "lexicon.yml"


def persist_lexicon(model_storage: ModelStorage, resource: Resource, source: Text) -> None:
    with model_storage.write_to(resource) as directory:
        shutil.copy2(source, Path(directory) / FILE_NAME)


def load_persisted_lexicon(model_storage: ModelStorage, resource: Resource) -> Lexicon:
    with model_storage.read_from(resource) as directory:
        return load_lexicon(Path(directory) / FILE_NAME)
