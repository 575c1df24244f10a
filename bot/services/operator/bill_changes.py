"""Why a bill differs from the month before (账单解读), item by item (pure).

Lines are matched by what they are: a subscription's fee by the subscription, overage and roaming as
one line each, anything else by its description. Each change says what it is: data beyond the plan
with its volume and price per GB, a subscription new this month with its order, one that ended, a
charge that only this month has, or a fee that changed.
"""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

Key = Tuple[Any, ...]
SINGLE_LINE_CATEGORIES = ("overage", "roaming")


def _key(item: Mapping[str, Any]) -> Key:
    category = item.get("category")
    if category == "fee" and item.get("subscription_id") is not None:
        return ("fee", item["subscription_id"])
    if category in SINGLE_LINE_CATEGORIES:
        return (category,)
    return (category, item["description"])


def _grouped(items: Sequence[Mapping[str, Any]]) -> Dict[Key, Dict[str, Any]]:
    grouped: Dict[Key, Dict[str, Any]] = {}
    for item in items:
        line = grouped.setdefault(_key(item), {**item, "amount_fen": 0})
        line["amount_fen"] += item["amount_fen"]
    return grouped


def _kind(key: Key, now: Optional[Dict[str, Any]], before: Optional[Dict[str, Any]]) -> str:
    if key[0] == "fee":
        if before is None:
            return "new_subscription"
        if now is None:
            return "ended_subscription"
        return "fee_changed"
    if key[0] in SINGLE_LINE_CATEGORIES:
        return str(key[0])
    return "new_charge" if before is None else ("charge_gone" if now is None else "charge_changed")


def compare(
    bill: Mapping[str, Any],
    previous: Optional[Mapping[str, Any]],
    *,
    data_over_mb: int = 0,
    previous_data_over_mb: int = 0,
    overage_fen_per_gb: Optional[int] = None,
    orders: Optional[Mapping[int, Dict[str, Any]]] = None,
) -> Dict[str, Any]:
    """The changes from `previous` to `bill` (each a bill with `items`), largest first, and the sum
    of the lines that stayed the same. `orders` gives each subscription's name and order."""
    now_lines = _grouped(bill["items"])
    before_lines = _grouped(previous["items"] if previous else [])
    changes: List[Dict[str, Any]] = []
    unchanged = 0
    for key in [*now_lines, *(k for k in before_lines if k not in now_lines)]:
        now, before = now_lines.get(key), before_lines.get(key)
        amount, previous_amount = (now or {}).get("amount_fen", 0), (before or {}).get("amount_fen", 0)
        if amount == previous_amount:
            unchanged += amount
            continue
        change = {
            "kind": _kind(key, now, before),
            "description": (now or before or {})["description"],
            "amount_fen": amount,
            "previous_fen": previous_amount,
            "difference_fen": amount - previous_amount,
        }
        if key[0] == "overage":
            change.update(
                data_over_mb=data_over_mb,
                previous_data_over_mb=previous_data_over_mb,
                fen_per_gb=overage_fen_per_gb,
            )
        if key[0] == "fee" and orders and key[1] in orders:
            change["subscription"] = orders[key[1]]
        changes.append(change)
    changes.sort(key=lambda change: -abs(change["difference_fen"]))
    previous_total = previous["amount_fen"] if previous else 0
    return {
        "month": bill["month"],
        "previous_month": previous["month"] if previous else None,
        "amount_fen": bill["amount_fen"],
        "previous_amount_fen": previous_total,
        "difference_fen": bill["amount_fen"] - previous_total,
        "changes": changes,
        "unchanged_fen": unchanged,
    }
