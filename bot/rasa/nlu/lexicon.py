"""The telecom lexicon (data/lexicon/telecom.yml): typo corrections and entity vocabularies."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple, Union

import yaml


class LexiconError(ValueError):
    """The lexicon file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Lexicon:
    typos: Mapping[str, str]
    # entity -> written form (lower case) -> canonical value
    variants: Mapping[str, Mapping[str, str]]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Lexicon":
        typos = {str(k): str(v) for k, v in (data.get("typos") or {}).items()}
        for wrong, right in typos.items():
            if len(wrong) != len(right):
                raise LexiconError(f"typo {wrong!r} -> {right!r} must keep the length")
        variants: Dict[str, Dict[str, str]] = {}
        for entity, values in (data.get("canonical_values") or {}).items():
            table = variants.setdefault(entity, {})
            for canonical, forms in values.items():
                for form in [canonical, *forms]:
                    key = str(form).lower()
                    if table.get(key, canonical) != canonical:
                        raise LexiconError(f"{entity}: {form!r} maps to both {table[key]!r} and {canonical!r}")
                    table[key] = str(canonical)
        return cls(typos=typos, variants=variants)

    def canonical(self, entity: str, text: str) -> Optional[str]:
        """Canonical value of a written form: exact match first, else the longest form inside it."""
        table = self.variants.get(entity)
        if not table:
            return None
        key = text.strip().lower()
        if key in table:
            return table[key]
        inside = [form for form in table if form in key]
        return table[max(inside, key=len)] if inside else None

    def forms(self, entity: str) -> Tuple[str, ...]:
        return tuple(self.variants.get(entity, {}))


def load_lexicon(path: Union[str, Path]) -> Lexicon:
    with open(path, encoding="utf-8") as file:
        return Lexicon.from_dict(yaml.safe_load(file) or {})
