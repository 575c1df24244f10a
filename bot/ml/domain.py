"""The assistant's domain as one mapping: domain/<capability>.yml merged the way Rasa merges a directory.

Rasa itself loads the directory (`--domain domain`); this plain-YAML reading is for our tools and tests
(scripts/generate_repair_rules.py, the rule and scenario tests) that need the forms, responses or slots
without importing Rasa.
"""

from pathlib import Path
from typing import Any, Dict

import yaml

LIST_SECTIONS = ("intents", "entities", "actions")


class DomainConflict(ValueError):
    """Two files of the domain define the same slot, form or response."""


def load_domain(directory: Path) -> Dict[str, Any]:
    """Every domain/*.yml merged: lists concatenated in file order, mappings joined without overlap."""
    merged: Dict[str, Any] = {}
    for path in sorted(directory.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for section, value in part.items():
            if section == "version":
                merged.setdefault(section, value)
            elif section in LIST_SECTIONS:
                merged.setdefault(section, []).extend(value or [])
            else:
                target = merged.setdefault(section, {})
                overlap = sorted(set(target) & set(value or {}))
                if overlap:
                    raise DomainConflict(
                        f"{path.name} defines {section} already defined elsewhere: {', '.join(overlap)}"
                    )
                target.update(value or {})
    return merged
