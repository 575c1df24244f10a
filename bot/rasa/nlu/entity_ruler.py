"""TelecomEntityRuler: deterministic entities found by spaCy's Matcher over the jieba tokens.

Closed vocabularies (bill_type, payment_method, balance_type, package_name, fault_type) come from
the lexicon; phone numbers, amounts, months and ticket numbers from token patterns (patterns.py).
Overlaps are resolved by spaCy's `filter_spans` (longest match wins). DIET still extracts entities
too; EntityNormaliser merges both.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.nlu.lexicon import Lexicon
from bot.rasa.nlu.lexicon_component import LexiconComponent
from bot.rasa.nlu.patterns import FIXED_PATTERNS, phrase_patterns

logger = logging.getLogger(__name__)


def _jieba_words(text: str) -> List[str]:
    import jieba

    return [word for word, _start, _end in jieba.tokenize(text)]


class TokenMatcher:
    """A spaCy Matcher built lazily, after the tokenizer has loaded jieba's user dictionary."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._nlp: Optional[Any] = None
        self._matcher: Optional[Any] = None

    def _build(self) -> Tuple[Any, Any]:
        import spacy
        from spacy.matcher import Matcher

        nlp = spacy.blank("zh")
        matcher = Matcher(nlp.vocab)
        for label, patterns in FIXED_PATTERNS.items():
            matcher.add(label, patterns)
        for label in self._lexicon.variants:
            matcher.add(label, phrase_patterns(self._lexicon.forms(label), _jieba_words))
        return nlp, matcher

    def match(self, text: str, tokens: List[Token]) -> List[Dict[str, Any]]:
        from spacy.tokens import Doc
        from spacy.util import filter_spans

        if not tokens:
            return []
        if self._nlp is None or self._matcher is None:
            self._nlp, self._matcher = self._build()
        doc = Doc(self._nlp.vocab, words=[token.text for token in tokens], spaces=[False] * len(tokens))
        spans = filter_spans(self._matcher(doc, as_spans=True))
        entities = []
        for span in spans:
            start, end = tokens[span.start].start, tokens[span.end - 1].end
            entities.append({"entity": span.label_, "start": start, "end": end, "value": text[start:end]})
        return entities


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class TelecomEntityRuler(LexiconComponent, EntityExtractorMixin):
    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._matcher = TokenMatcher(self.lexicon)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = self._matcher.match(text, message.get(TOKENS_NAMES[TEXT]) or [])
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages
