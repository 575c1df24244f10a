"""`python -m bot review`: write the period's messages to review as NLU YAML plus a summary."""

import datetime as dt
import json
from pathlib import Path
from typing import Optional

from bot.core.clock import CHINA
from bot.ml.trainers.review import nlu_yaml, review, summary
from bot.ml.trainers.tracker_events import load_conversations


def day_start(text: Optional[str]) -> Optional[dt.datetime]:
    """YYYY-MM-DD as the start of that day in China time."""
    return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), CHINA) if text else None


def export(tracker_url: str, out: Path, since: Optional[str], until: Optional[str], threshold: float) -> Path:
    start, end = day_start(since), day_start(until)
    conversations = load_conversations(
        tracker_url, start.timestamp() if start else None, end.timestamp() if end else None
    )
    candidates = review(conversations, threshold, start, end)
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(CHINA).strftime("%Y%m%d-%H%M%S")
    period = f"{since or 'the beginning'} to {until or 'now'}"
    header = (
        f"Messages to review, {period} (python -m bot review, {stamp}).\n"
        "The intents are what the model predicted: correct them, delete what is not worth learning,\n"
        "then merge the examples into data/nlu/. Personal data is masked."
    )
    path = out / f"review-{stamp}.yml"
    path.write_text(nlu_yaml(candidates, header), encoding="utf-8")
    facts = summary(candidates)
    (out / f"review-{stamp}.summary.json").write_text(json.dumps(facts, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"review: {facts['messages']} messages from {len(conversations)} conversations -> {path}")
    for reason, count in facts["by_reason"].items():
        print(f"  {reason:<17} {count}")
    for pair in facts["confused_pairs"][:5]:
        print(f"  confused: {pair['intents'][0]} / {pair['intents'][1]}  ({pair['messages']})")
    return path
