"""EntityNormaliser: canonical values for every extracted entity (the NLU contract).

Runs after all extractors. Each entity's value is recomputed from its text span (amount '五十块' ->
'50', payment_method 'vx' -> '微信', month '上月' -> '上个月' ...); an entity whose span is not a valid
value is dropped. Where two extractors found overlapping entities, the rule-based one wins.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.lexicon import Lexicon, load_lexicon
from bot.nlu.storage import load_persisted_lexicon, persist_lexicon
from bot.nlu.values import canonical_value

PREFERRED_EXTRACTOR = "TelecomEntityRuler"


def normalise_entities(text: str, entities: List[Dict[str, Any]], lexicon: Lexicon) -> List[Dict[str, Any]]:
    """Canonical values, invalid ones dropped, overlaps resolved (rule-based first, then longer)."""
    valid = []
    for entity in entities:
        span = text[entity["start"] : entity["end"]] if "start" in entity else str(entity.get("value", ""))
        value = canonical_value(entity["entity"], span, lexicon)
        if value is not None:
            valid.append({**entity, "value": value})
    ranked = sorted(
        valid,
        key=lambda e: (e.get("extractor") != PREFERRED_EXTRACTOR, -(e.get("end", 0) - e.get("start", 0))),
    )
    kept: List[Dict[str, Any]] = []
    for entity in ranked:
        if not any(_overlap(entity, other) for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: e.get("start", 0))


def _overlap(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    if "start" not in a or "start" not in b:
        return a["entity"] == b["entity"] and a["value"] == b["value"]
    return a["start"] < b["end"] and b["start"] < a["end"]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class EntityNormaliser(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"lexicon_path": "data/lexicon/telecom.yml"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, lexicon: Lexicon) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._lexicon = lexicon

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> EntityNormaliser:
        return cls(config, model_storage, resource, load_lexicon(config["lexicon_path"]))

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EntityNormaliser:
        return cls(config, model_storage, resource, load_persisted_lexicon(model_storage, resource))

    def train(self, training_data: TrainingData) -> Resource:
        persist_lexicon(self._model_storage, self._resource, self._config["lexicon_path"])
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            if entities:
                normalised = normalise_entities(message.get(TEXT) or "", entities, self._lexicon)
                message.set(ENTITIES, [self.add_processor_name(e) for e in normalised], add_to_output=True)
        return messages
