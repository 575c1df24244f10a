"""Binding a confirmation to exactly what was shown (pure functions).

When a summary is shown for confirmation, the action keeps the exact text sent and a fingerprint of
the subject it states. A confirmation counts, and the task acts, only while the current slots still
produce that same fingerprint; the consent recorded in the backend is the kept text, not a re-rendering.
"""

import hashlib
import json
from typing import Any, Dict, List, Mapping, Optional, Tuple

from rasa_sdk.types import DomainDict


def fingerprint(subject: Optional[Mapping[str, Any]]) -> Optional[str]:
    """A stable digest of the subject's values (None for no subject: it matches nothing)."""
    if subject is None:
        return None
    canonical = json.dumps(dict(subject), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def shown_matches(shown: Any, subject: Optional[Mapping[str, Any]]) -> bool:
    """True when `shown` (a slot kept by the summary action) states exactly `subject`."""
    wanted = fingerprint(subject)
    return wanted is not None and isinstance(shown, dict) and shown.get("fingerprint") == wanted


def render(domain: DomainDict, response: str, **values: Any) -> Tuple[str, List[Dict[str, Any]]]:
    """The text and buttons of a domain response, as they will be sent."""
    template = domain["responses"][response][0]
    return template["text"].format(**values), list(template.get("buttons") or [])
