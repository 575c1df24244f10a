"""Satisfaction ratings (1-5) customers give after a completed task, and their summary."""

from typing import Any, Dict, Optional

from sqlalchemy import func, select

from bot.core import clock as clk
from bot.core.db import Database
from bot.services.operator.tables import satisfaction_ratings

SCORES = (1, 2, 3, 4, 5)
TASKS = (
    "balance",
    "bill",
    "explain_bill",
    "package",
    "payment",
    "cancel_package",
    "change_plan",
    "add_pack",
    "dispute",
    "ticket",
    "ticket_query",
    "handoff",  # the conversation an agent handed back: the agent's rating
    "general",
)


async def record(
    db: Database, *, sender_id: str, channel: str, task: str, score: int, phone: Optional[str]
) -> Dict[str, Any]:
    now = db.clock()
    async with db.write() as conn:
        result = await conn.execute(
            satisfaction_ratings.insert().values(
                sender_id=sender_id, channel=channel, task=task, score=score, phone=phone, created_at=clk.to_db(now)
            )
        )
        rating_id = result.inserted_primary_key[0]
    return {
        "id": rating_id,
        "sender_id": sender_id,
        "channel": channel,
        "task": task,
        "score": score,
        "phone": phone,
        "created_at": clk.iso(now),
    }


async def summary(db: Database) -> Dict[str, Any]:
    """Count, average and score distribution per task (what trainers and supervisors watch)."""
    query = (
        select(satisfaction_ratings.c.task, satisfaction_ratings.c.score, func.count().label("n"))
        .group_by(satisfaction_ratings.c.task, satisfaction_ratings.c.score)
        .order_by(satisfaction_ratings.c.task, satisfaction_ratings.c.score)
    )
    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
    tasks: Dict[str, Dict[str, Any]] = {}
    for row in rows:
        entry = tasks.setdefault(row.task, {"count": 0, "scores": {str(s): 0 for s in SCORES}, "total": 0})
        entry["count"] += row.n
        entry["scores"][str(row.score)] += row.n
        entry["total"] += row.score * row.n
    count = sum(entry["count"] for entry in tasks.values())
    total = sum(entry["total"] for entry in tasks.values())
    by_task = {
        task: {"count": e["count"], "average": round(e["total"] / e["count"], 2), "scores": e["scores"]}
        for task, e in tasks.items()
    }
    return {"count": count, "average": round(total / count, 2) if count else None, "tasks": by_task}
