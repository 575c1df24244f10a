"""bot/load/scenarios.py: the simulated conversations expect what the bot really says (domain/)."""

import random
import re

import yaml

from bot.load.scenarios import SCENARIOS, pick, reply_text
from bot.ml.domain import load_domain
from tests.support import ROOT

DOMAIN = load_domain(ROOT / "domain")


def test_every_expected_answer_can_come_from_a_response_of_the_domain():
    texts = [variant["text"] for variants in DOMAIN["responses"].values() for variant in variants if "text" in variant]
    faq = yaml.safe_load((ROOT / "data/nlu/faq.yml").read_text(encoding="utf-8"))
    texts += [variant["text"] for variants in faq["responses"].values() for variant in variants]
    for scenario in SCENARIOS:
        for said, expected in scenario.turns:
            # The longest run of Chinese in the pattern (values and placeholders left out) is in some response.
            words = max(re.findall(r"[\u4e00-\u9fff]+", expected.pattern), key=len)
            assert len(words) >= 4 and any(words in text for text in texts), (scenario.name, said, words)


def test_the_mix_follows_the_weights():
    rng = random.Random(7)
    picked = [pick(rng).name for _ in range(10000)]
    shares = {name: picked.count(name) / len(picked) for name in ("balance", "payment", "faq", "ticket")}
    assert abs(shares["balance"] - 0.3) < 0.02 and abs(shares["payment"] - 0.2) < 0.02
    assert abs(shares["faq"] - 0.3) < 0.02 and abs(shares["ticket"] - 0.2) < 0.02


def test_reply_text_joins_the_bots_messages():
    assert reply_text([{"text": "您好"}, {"image": "x"}, {"text": "再见"}, "junk"]) == "您好\n\n再见"
