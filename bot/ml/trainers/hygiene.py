"""Training data hygiene (pure): duplicates and conflicts across intents, and test messages (the
written held-out set and the real-language set) too close to training examples: they would flatter
the evaluation, so they are refused."""

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Set, Tuple

NEAR = 0.9  # similarity ratio from which two messages count as near-duplicates
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def key(text: str) -> str:
    """Compare texts without case, width, spaces or punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


@dataclass(frozen=True)
class Findings:
    conflicts: List[Tuple[str, List[str]]]  # the same text under several intents
    duplicates: List[Tuple[str, str, int]]  # (text, intent, times) repeated within one intent
    near_heldout: List[Tuple[str, str, float]]  # (test-set text, training text, similarity)

    @property
    def blocking(self) -> bool:
        """Conflicts teach the model two answers to one question: they must be fixed."""
        return bool(self.conflicts)


def check(training: Iterable[Tuple[str, str]], heldout: Iterable[Tuple[str, str]] = ()) -> Findings:
    """`training` and `heldout` (the messages of every test set) are (text, intent) pairs."""
    intents: Dict[str, Set[str]] = defaultdict(set)
    counts: Dict[Tuple[str, str], int] = defaultdict(int)
    original: Dict[str, str] = {}
    for text, intent in training:
        k = key(text)
        if not k:
            continue
        intents[k].add(intent)
        counts[(k, intent)] += 1
        original.setdefault(k, text)
    conflicts = sorted((original[k], sorted(found)) for k, found in intents.items() if len(found) > 1)
    duplicates = sorted((original[k], intent, n) for (k, intent), n in counts.items() if n > 1)
    near = []
    train_keys = list(original)
    for text, _intent in heldout:
        k = key(text)
        if not k:
            continue
        matcher = difflib.SequenceMatcher(a=k)
        for candidate in train_keys:
            if abs(len(candidate) - len(k)) > max(2, len(k) // 5):
                continue
            matcher.set_seq2(candidate)
            if matcher.real_quick_ratio() >= NEAR and matcher.quick_ratio() >= NEAR:
                ratio = matcher.ratio()
                if ratio >= NEAR:
                    near.append((text, original[candidate], round(ratio, 3)))
    return Findings(conflicts, duplicates, sorted(near))


def report(findings: Findings) -> str:
    lines = [f"conflicts (same text, several intents): {len(findings.conflicts)}"]
    lines += [f"  {text!r}: {', '.join(found)}" for text, found in findings.conflicts]
    lines.append(f"duplicates within an intent: {len(findings.duplicates)}")
    lines += [f"  {text!r} ({intent}) x{n}" for text, intent, n in findings.duplicates]
    lines.append(f"test-set messages within {NEAR:.0%} of a training example: {len(findings.near_heldout)}")
    lines += [f"  {held!r} ~ {train!r} ({ratio:.2f})" for held, train, ratio in findings.near_heldout]
    return "\n".join(lines)
