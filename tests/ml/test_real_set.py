"""data/real/nlu.yml: every message names a registered source and uses only the domain's intents and
entities, so the real-language scores are traceable and comparable."""

import re

from rasa.shared.nlu.training_data.loading import load_data

from bot.ml.domain import load_domain
from bot.ml.evaluation import REAL
from tests.support import ROOT

SOURCE = re.compile(r"^(?P<source>[a-z0-9-]+) \d+/\d+$")


def registered_sources():
    table = (ROOT / "data" / "real" / "SOURCES.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.MULTILINE))


def test_every_message_names_a_registered_source_once():
    examples = load_data(str(REAL)).intent_examples
    sources = [example.get("metadata")["example"]["source"] for example in examples]
    assert all(SOURCE.match(source) for source in sources), sources
    assert {SOURCE.match(source)["source"] for source in sources} <= registered_sources()
    assert len(set(sources)) == len(sources)  # one message per conversation turn


def test_intents_and_entities_are_the_domain_s():
    domain = load_domain(ROOT / "domain")
    examples = load_data(str(REAL)).intent_examples
    intents = {example.get("intent").split("/")[0] for example in examples}
    entities = {entity["entity"] for example in examples for entity in example.get("entities") or []}
    assert intents <= set(domain["intents"]) and entities <= set(domain["entities"])
