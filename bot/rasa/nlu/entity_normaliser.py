"""EntityNormaliser: canonical values for every extracted entity (the NLU contract).

Runs after all extractors. Each entity's value is recomputed from its text span (amount '五十块' ->
'50', payment_method 'vx' -> '微信', month '上月' -> '上个月' ...); an entity whose span is not a valid
value is dropped. Where two extractors found overlapping entities, the rule-based one wins.

A word of two vocabularies takes the type the message's intent asks for: 话费 is a `balance_type` in
查一下话费 (check_balance) and a `bill_type` in 话费账单 (query_bill).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.nlu.lexicon import Lexicon
from bot.rasa.nlu.lexicon_component import LexiconComponent
from bot.rasa.nlu.values import canonical_value

PREFERRED_EXTRACTOR = "TelecomEntityRuler"
# The entity type each intent asks for, where a word belongs to two vocabularies.
TYPE_FOR_INTENT = {
    "check_balance": {"bill_type": "balance_type"},
    "query_bill": {"balance_type": "bill_type"},
    "pay_bill": {"balance_type": "bill_type"},
}


def normalise_entities(
    text: str, entities: List[Dict[str, Any]], lexicon: Lexicon, intent: str = ""
) -> List[Dict[str, Any]]:
    """Canonical values, invalid ones dropped, overlaps resolved (rule-based first, then longer)."""
    valid = []
    retype = TYPE_FOR_INTENT.get(intent, {})
    for entity in entities:
        span = text[entity["start"] : entity["end"]] if "start" in entity else str(entity.get("value", ""))
        wanted = retype.get(entity["entity"])
        if wanted and canonical_value(wanted, span, lexicon) is not None:
            entity = {**entity, "entity": wanted}
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
class EntityNormaliser(LexiconComponent, EntityExtractorMixin):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            if entities:
                intent = (message.get(INTENT) or {}).get("name") or ""
                normalised = normalise_entities(message.get(TEXT) or "", entities, self.lexicon, intent)
                message.set(ENTITIES, [self.add_processor_name(e) for e in normalised], add_to_output=True)
        return messages
