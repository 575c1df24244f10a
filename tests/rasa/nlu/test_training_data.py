"""Checks on data/nlu and data/heldout/nlu.yml that keep the data usable for the pipeline."""

from collections import defaultdict
from typing import Dict, List

import jieba
import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.rasa.nlu.lexicon import load_lexicon
from bot.rasa.nlu.text_normaliser import normalise_text
from bot.rasa.nlu.values import canonical_value
from tests.rasa.nlu.conftest import LEXICON_PATH, ROOT

CONTRACT_ENTITIES = {
    "phone_number",
    "amount",
    "bill_type",
    "payment_method",
    "balance_type",
    "package_name",
    "fault_type",
    "ticket_id",
    "month",
}
TASK_INTENTS = (
    "check_balance",
    "query_bill",
    "pay_bill",
    "query_package",
    "cancel_package",
    "report_fault",
    "complain",
    "query_ticket",
    "request_human",
    "inform",
    "out_of_scope",
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(LEXICON_PATH)


@pytest.fixture(scope="module")
def training():
    return load_data(str(ROOT / "data" / "nlu"))


@pytest.fixture(scope="module")
def heldout():
    return load_data(str(ROOT / "data" / "heldout" / "nlu.yml"))


@pytest.fixture(scope="module")
def tokenize():
    jieba.load_userdict(str(ROOT / "data" / "jieba" / "telecom.txt"))
    return lambda text: [(start, end) for _word, start, end in jieba.tokenize(text)]


def test_every_task_intent_has_at_least_40_examples(training):
    counts = training.number_of_examples_per_intent
    assert {intent: counts.get(intent, 0) for intent in TASK_INTENTS if counts.get(intent, 0) < 40} == {}


def test_at_least_15_faq_topics_each_with_an_answer(training):
    topics = {m.get("intent_response_key") for m in training.intent_examples if m.get("intent") == "faq"}
    assert len(topics) >= 15
    assert {topic for topic in topics if f"utter_{topic}" not in training.responses} == set()


def test_annotated_entities_are_contract_types_with_valid_values(training, lexicon):
    bad: Dict[str, List[str]] = defaultdict(list)
    for message in training.training_examples:
        for entity in message.get("entities") or []:
            # The pipeline sees the normalised text (simplified, typos fixed), so does this check.
            span = normalise_text(message.get("text"), lexicon.typos)[entity["start"] : entity["end"]]
            if entity["entity"] not in CONTRACT_ENTITIES or canonical_value(entity["entity"], span, lexicon) is None:
                bad[entity["entity"]].append(span)
    assert dict(bad) == {}


def test_entity_spans_are_whole_jieba_words(training, lexicon, tokenize):
    """A span that cuts a word cannot be learned by DIET (its BILOU tags drop it)."""
    misaligned = []
    for message in training.training_examples:
        text = normalise_text(message.get("text"), lexicon.typos)
        bounds = tokenize(text)
        starts, ends = {s for s, _ in bounds}, {e for _, e in bounds}
        for entity in message.get("entities") or []:
            if entity["start"] not in starts or entity["end"] not in ends:
                misaligned.append(text[entity["start"] : entity["end"]] + " in " + text)
    assert misaligned == []


def test_heldout_messages_are_not_in_the_training_data(training, heldout):
    trained = {message.get("text") for message in training.training_examples}
    assert [m.get("text") for m in heldout.training_examples if m.get("text") in trained] == []


def test_heldout_covers_every_intent_and_entity(training, heldout):
    assert len(heldout.training_examples) >= 150
    assert set(heldout.intents) == set(training.intents)
    found = {entity["entity"] for message in heldout.training_examples for entity in message.get("entities") or []}
    assert found == CONTRACT_ENTITIES


def test_heldout_values_are_canonical(heldout, lexicon):
    """The held-out set states the values the contract promises; each must be a fixed point."""
    wrong = []
    for message in heldout.training_examples:
        for entity in message.get("entities") or []:
            value = str(entity["value"])
            if canonical_value(entity["entity"], value, lexicon) != value:
                wrong.append((entity["entity"], value))
    assert wrong == []
