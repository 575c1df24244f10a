"""Whether a trained model's policies read no further back than the states they are given
(bot/rasa/patches.py's STATES_WINDOW, bot/rasa/tracker_memo.py): the featurizers' max_history, the
longest rule and the longest memorised story turn, read from the model archive."""

import base64
import json
import tarfile
import zlib
from pathlib import Path
from typing import Dict, List


def reach(model: Path) -> Dict[str, int]:
    """Policy component -> how many latest states it can read (0: the featurizer takes all, and the
    policy's own lookup says how far back its keys go)."""
    found: Dict[str, int] = {}
    with tarfile.open(model, "r:gz") as archive:
        for member in archive.getmembers():
            parts = Path(member.name).parts
            if len(parts) < 3 or parts[-3] != "components" or not parts[-2].startswith("train_"):
                continue
            component, name = parts[-2], parts[-1]
            handle = archive.extractfile(member)
            if handle is None:
                continue
            if name == "featurizer.json":
                found[f"{component} max_history"] = json.load(handle).get("max_history") or 0
            elif name in ("rule_policy.json", "memorized_turns.json"):
                lookup = json.load(handle).get("lookup") or {}
                tables = [lookup.get(t) for t in RULE_TABLES] if name == "rule_policy.json" else [lookup]
                keys = [key for table in tables if isinstance(table, dict) for key in table]
                found[f"{component} longest key"] = max((count_states(key) for key in keys), default=0)
    return found


def count_states(key: str) -> int:
    """How many states a lookup key holds: a JSON list (the RulePolicy's), or the same list with its
    quotes removed, zlib-compressed, in base64 (the MemoizationPolicy's): its dicts at depth one."""
    text = key if key.startswith("[") else zlib.decompress(base64.b64decode(key)).decode("utf-8")
    depth = count = 0
    for char in text:
        if char in "[{":
            count += char == "{" and depth == 1
            depth += 1
        elif char in "]}":
            depth -= 1
    return count


RULE_TABLES = ("rules", "rules_for_loop_unhappy_path")  # keyed by the states a rule matches, as JSON


def too_far(model: Path, window: int) -> List[str]:
    """What reads `window` states or more: none may, or the last states would not be enough."""
    return [f"{what} = {states}" for what, states in sorted(reach(model).items()) if states >= window]
