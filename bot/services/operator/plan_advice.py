"""Which plan fits a line, from its own usage (pure): what each open plan would have cost over the
last complete months, which of them the contract allows, and the one to recommend."""

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional, Sequence

GB = 1024
WANTS = ("cheaper", "more_data", "any")


@dataclass(frozen=True)
class MonthUsage:
    cycle: str
    complete: bool  # False for the month under way
    data_used_mb: int
    data_allowance_mb: int
    voice_used_min: int
    voice_allowance_min: int
    overage_fen: int  # what the month's bill charged for usage beyond the allowance

    @property
    def data_over_mb(self) -> int:
        return max(0, self.data_used_mb - self.data_allowance_mb)

    def as_json(self) -> Dict[str, Any]:
        return {**asdict(self), "data_over_mb": self.data_over_mb}


def summary(history: Sequence[MonthUsage]) -> Dict[str, Any]:
    """Averages over the complete months (the month under way would understate them)."""
    complete = [month for month in history if month.complete]
    count = len(complete) or 1
    return {
        "months": len(complete),
        "average_data_used_mb": round(sum(m.data_used_mb for m in complete) / count),
        "average_voice_used_min": round(sum(m.voice_used_min for m in complete) / count),
        "average_overage_fen": round(sum(m.overage_fen for m in complete) / count),
        "months_over": sum(1 for m in complete if m.data_over_mb > 0),
    }


def overage_fen(over_mb: int, fen_per_gb: Optional[int]) -> int:
    """Data beyond the allowance, charged per GB and rounded up to the fen."""
    return math.ceil(over_mb * (fen_per_gb or 0) / GB) if over_mb > 0 else 0


def expected_overage_fen(plan: Dict[str, Any], extra_data_mb: int, history: Sequence[MonthUsage]) -> int:
    """The average monthly overage the plan would have charged over the complete months, with the
    line's other data (its packs) on top of the plan's own."""
    complete = [month for month in history if month.complete]
    if not complete:
        return 0
    allowance = plan["data_mb"] + extra_data_mb
    total = sum(overage_fen(month.data_used_mb - allowance, plan.get("overage_fen_per_gb")) for month in complete)
    return round(total / len(complete))


def refusal(current: Dict[str, Any], plan: Dict[str, Any], today: dt.date) -> Optional[Dict[str, Any]]:
    """Why the line cannot change to `plan` now, or None. A downgrade (a lower monthly fee) inside the
    current plan's contract term is refused until the day after it ends; an upgrade is allowed."""
    if not plan["open_to_new"]:
        return {"reason": "plan_closed"}
    if plan["code"] == current["package_code"]:
        return {"reason": "same_plan"}
    contract_end = current.get("contract_end")
    if plan["monthly_fee_fen"] < current["monthly_fee_fen"] and contract_end:
        end = dt.date.fromisoformat(contract_end)
        if end >= today:
            possible = end + dt.timedelta(days=1)
            return {"reason": "in_contract", "contract_end": end.isoformat(), "possible_from": possible.isoformat()}
    return None


def option(
    current: Dict[str, Any], plan: Dict[str, Any], extra_data_mb: int, history: Sequence[MonthUsage], today: dt.date
) -> Dict[str, Any]:
    expected_overage = expected_overage_fen(plan, extra_data_mb, history)
    members = list(current.get("family_members") or [])
    return {
        "plan": plan,
        "direction": "upgrade" if plan["monthly_fee_fen"] >= current["monthly_fee_fen"] else "downgrade",
        "fee_difference_fen": plan["monthly_fee_fen"] - current["monthly_fee_fen"],
        "expected_overage_fen": expected_overage,
        "expected_monthly_fen": plan["monthly_fee_fen"] + expected_overage,
        "family_members_lost": members[plan["family_slots"] :],
        "refused": refusal(current, plan, today),
    }


def wanted(want: str, current: Dict[str, Any], plan: Dict[str, Any]) -> bool:
    if want == "cheaper":
        return plan["monthly_fee_fen"] < current["monthly_fee_fen"]
    if want == "more_data":
        return plan["data_mb"] > current["data_mb"]
    return True


def advise(
    current: Dict[str, Any],
    plans: Sequence[Dict[str, Any]],
    extra_data_mb: int,
    history: Sequence[MonthUsage],
    today: dt.date,
    want: str = "any",
) -> Dict[str, Any]:
    """The open plans the customer asked about (cheaper, more data or any), cheapest first, each with
    what it would have cost them; `recommended` is the allowed one with the lowest expected monthly
    cost if it is below what the current plan costs them, else None (the current plan fits best)."""
    usage = summary(history)
    current_expected = current["monthly_fee_fen"] + usage["average_overage_fen"]
    options = [
        option(current, plan, extra_data_mb, history, today)
        for plan in plans
        if plan["kind"] == "main" and plan["open_to_new"] and plan["code"] != current["package_code"]
        if wanted(want, current, plan)
    ]
    options.sort(key=lambda o: (o["plan"]["monthly_fee_fen"], -o["plan"]["data_mb"]))
    allowed = [o for o in options if o["refused"] is None and o["expected_monthly_fen"] < current_expected]
    best = min(allowed, key=lambda o: (o["expected_monthly_fen"], -o["plan"]["data_mb"]), default=None)
    return {
        "current": {**current, "expected_monthly_fen": current_expected},
        "usage": usage,
        "history": [month.as_json() for month in history],
        "want": want,
        "options": options,
        "recommended": best["plan"]["code"] if best else None,
        "monthly_saving_fen": current_expected - best["expected_monthly_fen"] if best else 0,
    }


def plan_change_terms(current: Dict[str, Any], plan: Dict[str, Any], effective: dt.date) -> Dict[str, Any]:
    """What the customer must be told before a plan change (消费提醒): the new fee, from when (`effective`,
    the first of next month), the contract term, and what stops with the old plan on its last day: its
    allowance and the family members beyond the new plan's slots. The consent subject, exactly. The
    contract ends at the later of the new plan's term and the old one's."""
    months = plan.get("contract_months")
    ends = [_months_later(effective, months) - dt.timedelta(days=1)] if months else []
    if current.get("contract_end") and dt.date.fromisoformat(current["contract_end"]) >= effective:
        ends.append(dt.date.fromisoformat(current["contract_end"]))  # an upgrade does not end the old term
    contract_end = max(ends) if ends else None
    members = list(current.get("family_members") or [])
    return {
        "from_subscription_id": current["id"],
        "from_plan": current["name"],
        "plan_code": plan["code"],
        "plan_name": plan["name"],
        "monthly_fee_fen": plan["monthly_fee_fen"],
        "data_mb": plan["data_mb"],
        "voice_min": plan["voice_min"],
        "effective_date": effective.isoformat(),
        "old_plan_last_day": (effective - dt.timedelta(days=1)).isoformat(),
        "contract_months": months,
        "contract_end": contract_end.isoformat() if contract_end else None,
        "family_members_lost": members[plan["family_slots"] :],
    }


def _months_later(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
