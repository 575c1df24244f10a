"""Which of the customer's own subscriptions a package name they said means (pure).

Customers name products their own way: 快手包 for 快手定向流量包, 那个视频会员 for 视频会员流量包,
彩铃业务 for 彩铃. `match_package` tries, in order: the exact name; the same name once fillers
(那个, 我的...) and generic tails (业务, 功能, 月费...) are taken off (bot/core/product_names.py);
one name containing the other; and character similarity. It returns one name only when exactly one
subscription fits best, the close candidates when several do, and nothing when none does, so the
bot can say so.
"""

import difflib
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

from bot.core.product_names import core_name

SIMILAR = 0.6  # character similarity from which a name counts as meant


@dataclass(frozen=True)
class PackageMatch:
    name: Optional[str]  # the one subscription meant, or None
    candidates: Tuple[str, ...] = ()  # when several fit equally well

    @property
    def exact(self) -> bool:
        return self.name is not None and not self.candidates


def _score(said: str, name: str) -> float:
    a, b = core_name(said), core_name(name)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if len(a) >= 2 and len(b) >= 2 and (a in b or b in a):
        return 0.9
    return difflib.SequenceMatcher(a=a, b=b).ratio()


def match_package(said: str, names: Sequence[str]) -> PackageMatch:
    if said in names:
        return PackageMatch(said)
    scored = sorted(((_score(said, name), name) for name in dict.fromkeys(names)), reverse=True)
    scored = [(score, name) for score, name in scored if score >= SIMILAR]
    if not scored:
        return PackageMatch(None)
    best = [name for score, name in scored if score == scored[0][0]]
    if len(best) == 1:
        return PackageMatch(best[0])
    return PackageMatch(None, tuple(best))
