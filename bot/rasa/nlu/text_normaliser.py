"""TextNormaliser: rewrites the message text before tokenisation.

Full-width to half-width, traditional to simplified (OpenCC), spoken digit runs to digits
(一三八零零一三八零零零 -> 13800138000), and the lexicon's typo corrections
(冲话费 -> 充话费, 帐单 -> 账单), and a greeting that opens a request (你好呀 帮我看看流量: the
greeting becomes spaces, so the request is what is classified; a message that is only a greeting
keeps it). Every step keeps the text's length, so entity offsets of the
training data stay valid.

It never turns a typed message into an intent: Rasa's RegexMessageHandler, the last node of the NLU
graph, reads a text starting with "/" (after str.strip) as an intent with entities. A message that
did not start with "/" when it reached the graph (the guard, bot/rasa/channels/guard.py, lets only the
exact payload of a button through with one) must not start with one after normalisation either
(／affirm -> /affirm): the slashes of its lead become spaces. Rasa 3.6 has no other reader of
"/intent" messages: button payloads, too, are read by the RegexMessageHandler at the end of the graph.
"""

from __future__ import annotations

import functools
import re
from typing import Any, List, Mapping, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.text import spoken_digits_to_arabic, to_halfwidth
from bot.rasa.nlu.lexicon_component import LexiconComponent


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
    original = text
    text = spoken_digits_to_arabic(to_simplified(to_halfwidth(text)))
    for wrong, right in typos.items():
        if wrong in text:
            text = text.replace(wrong, right)
    if original.strip().startswith("/"):
        return text
    # Blanking first: the greeting's spaces must not uncover a leading slash (你好 /affirm).
    return no_intent_prefix(blank_opening_greeting(text))


# Openings customers put before a request: greetings, calls for attention, interjections.
_GREETINGS = re.compile(
    r"(?:你们?好[呀啊哇吖]?|您好[呀啊]?|喂+|哈喽|嗨|hi|hello|在吗|在不在[呀啊]?|有人吗|客服[你您]好|小姐姐|亲"
    r"|(?:早上|上午|中午|下午|晚上)好[呀啊]?|唉|诶|哎|嗯+|呃+|啊)",
    re.IGNORECASE,
)
_BETWEEN = re.compile(r"[\s,.!?~，。！？、…～:：;；]+")
MIN_REQUEST_CHARS = 4  # what follows the opening must be this long to be a request of its own


def blank_opening_greeting(text: str) -> str:
    """'你好呀 帮我看看流量' -> '    帮我看看流量' (same length); '你好呀客服' and '您好，谢谢' stay."""
    position = 0
    while True:
        match = _GREETINGS.match(text, position)
        if not match:
            break
        position = match.end()
        gap = _BETWEEN.match(text, position)
        if gap:
            position = gap.end()
    rest = text[position:]
    if position == 0 or len(_BETWEEN.sub("", rest)) < MIN_REQUEST_CHARS:
        return text
    return " " * position + rest


def no_intent_prefix(text: str) -> str:
    """`text` with the slashes of its lead of whitespace and slashes turned into spaces (same length)."""
    lead = 0
    while lead < len(text) and (text[lead] == "/" or text[lead].isspace()):
        lead += 1
    return text[:lead].replace("/", " ") + text[lead:]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TextNormaliser(LexiconComponent):
    @staticmethod
    def required_packages() -> List[Text]:
        # Rasa checks these both as import names and as distribution names; opencc's differ
        # (module `opencc`, distribution `opencc-python-reimplemented`), so none is declared.
        return []

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT)
        if text:
            message.set(TEXT, normalise_text(text, self.lexicon.typos))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message)
        return messages
