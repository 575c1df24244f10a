"""Review: the customer messages worth a trainer's look, from real conversations (pure).

A message is picked when NLU was unsure of it (below the threshold, or nlu_fallback), when the bot
had to ask for a rephrase, when it led to a handoff, when it came shortly before a low
satisfaction score, or when the customer's next move shows a confident mistake: a correction, the
same request again, a human asked for at once, or leaving right after the answer
(bot/ml/trainers/mistakes.py). Texts are masked (phone, ID and bank card numbers, passwords), deduplicated and
grouped by the intent NLU predicted, as a suggestion for the trainer to correct.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

import yaml

from bot.core.privacy import mask_personal_data
from bot.core.ratings import parse_rating
from bot.ml.trainers.mistakes import confident_mistakes

MISTAKES = ("corrected", "repeated", "human_after_answer", "left")

REASONS = ("low_confidence", "rephrase", "handoff", "low_satisfaction", *MISTAKES)
REPHRASE_ACTIONS = {"utter_ask_rephrase", "action_clarify", "action_default_fallback"}
HANDOFF_ACTIONS = {"action_handoff"}
BEFORE_LOW_RATING = 3  # customer messages before a low score that are looked at


@dataclass
class Candidate:
    text: str
    intent: str  # the predicted intent: a suggestion
    confidence: float
    runner_up: Optional[str]
    reasons: Set[str] = field(default_factory=set)
    count: int = 1


def _intent(event: Dict[str, Any]) -> Tuple[str, float, Optional[str]]:
    parse = event.get("parse_data") or {}
    ranking = [item for item in parse.get("intent_ranking") or [] if item.get("name") != "nlu_fallback"]
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name") or "", float(intent.get("confidence") or 0.0)
    if name == "nlu_fallback" and ranking:
        name, confidence = ranking[0]["name"], float(ranking[0].get("confidence") or 0.0)
    runner_up = next((item["name"] for item in ranking if item.get("name") != name), None)
    return name, confidence, runner_up


def _worth_keeping(text: str) -> bool:
    """Not only masked digits (a password or a number given when asked): nothing to learn there."""
    remainder = text.replace("*", "").replace(" ", "")
    return any(not ch.isdigit() for ch in remainder) and not text.startswith("/")


def flag_conversation(events: List[Dict[str, Any]], threshold: float) -> List[Tuple[Dict[str, Any], Set[str]]]:
    """(user event, reasons) for the messages of one conversation that need review."""
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    flagged: Dict[int, Set[str]] = {}
    for position, index in enumerate(users):
        event = events[index]
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        if intent.get("name") == "nlu_fallback" or float(intent.get("confidence") or 0.0) < threshold:
            flagged.setdefault(index, set()).add("low_confidence")
        following = users[position + 1] if position + 1 < len(users) else len(events)
        actions = {e.get("name") for e in events[index + 1 : following] if e.get("event") == "action"}
        if actions & REPHRASE_ACTIONS:
            flagged.setdefault(index, set()).add("rephrase")
        if actions & HANDOFF_ACTIONS or any(e.get("event") == "pause" for e in events[index + 1 : following]):
            flagged.setdefault(index, set()).add("handoff")
            if position > 0:
                flagged.setdefault(users[position - 1], set()).add("handoff")
        if intent.get("name") == "rate" and (parse_rating(event.get("text") or "") or 5) <= 2:
            earlier = [
                i
                for i in users[:position]
                if (events[i].get("parse_data") or {}).get("intent", {}).get("name") != "rate"
            ]
            for before in earlier[-BEFORE_LOW_RATING:]:
                flagged.setdefault(before, set()).add("low_satisfaction")
    for index, reasons in confident_mistakes(events).items():
        flagged.setdefault(index, set()).update(reasons)
    return [(events[index], reasons) for index, reasons in sorted(flagged.items())]


def review(
    conversations: Iterable[List[Dict[str, Any]]],
    threshold: float = 0.5,
    since: Optional[dt.datetime] = None,
    until: Optional[dt.datetime] = None,
) -> List[Candidate]:
    """Flagged, masked, deduplicated messages of the period, most frequent first."""
    found: Dict[str, Candidate] = {}
    for events in conversations:
        for event, reasons in flag_conversation(events, threshold):
            moment = dt.datetime.fromtimestamp(float(event.get("timestamp") or 0), dt.timezone.utc)
            if (since and moment < since) or (until and moment >= until):
                continue
            text = mask_personal_data((event.get("text") or "").strip())
            if not text or not _worth_keeping(text):
                continue
            name, confidence, runner_up = _intent(event)
            key = " ".join(text.split())
            if key in found:
                found[key].count += 1
                found[key].reasons |= reasons
                continue
            found[key] = Candidate(key, name or "nlu_fallback", confidence, runner_up, set(reasons))
    return sorted(found.values(), key=lambda c: (-c.count, c.intent, c.text))


def nlu_yaml(candidates: List[Candidate], header: str) -> str:
    """Rasa NLU YAML, one block per predicted intent; each example's metadata says why it was picked."""
    by_intent: Dict[str, List[Candidate]] = {}
    for candidate in candidates:
        by_intent.setdefault(candidate.intent, []).append(candidate)
    document = {
        "version": "3.1",
        "nlu": [
            {
                "intent": intent,
                "examples": [
                    {
                        "text": c.text,
                        "metadata": {
                            "review": {
                                "reasons": sorted(c.reasons),
                                "confidence": round(c.confidence, 3),
                                "runner_up": c.runner_up,
                                "seen": c.count,
                            }
                        },
                    }
                    for c in by_intent[intent]
                ],
            }
            for intent in sorted(by_intent)
        ],
    }
    comments = "".join(f"# {line}\n" for line in header.splitlines())
    return comments + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


def summary(candidates: List[Candidate]) -> Dict[str, Any]:
    reasons = Counter(reason for candidate in candidates for reason in candidate.reasons)
    pairs = Counter(
        tuple(sorted((c.intent, c.runner_up))) for c in candidates if c.runner_up and "low_confidence" in c.reasons
    )
    return {
        "messages": len(candidates),
        "by_reason": {reason: reasons.get(reason, 0) for reason in REASONS},
        "by_intent": dict(Counter(c.intent for c in candidates).most_common()),
        "confused_pairs": [{"intents": list(pair), "messages": n} for pair, n in pairs.most_common(10)],
    }
