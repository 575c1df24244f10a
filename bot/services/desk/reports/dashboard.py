"""The dashboard of a period: its rows read from every source, its figures computed off the event
loop (a week of messages is parsed and counted in a worker thread)."""

import asyncio
import datetime as dt
from typing import Any, Dict, List, Optional

from bot.clients.operator import OperatorClient
from bot.core.db import Database
from bot.services.desk.labels import INTENT_LABELS, TASK_LABELS
from bot.services.desk.reports import figures, sources

MAX_DAYS = 31


def _compute(period: figures.Period, rows: sources.Rows, raw: List[Any]) -> Dict[str, Any]:
    messages, sessions = sources.sessions_of(raw)
    result = figures.dashboard(
        period,
        messages=messages,
        conversations=figures.conversations_of(sessions),
        cases=rows.cases,
        ratings=rows.ratings,
        callbacks=rows.callbacks,
        agents=rows.agents,
        labels=INTENT_LABELS,
    )
    for row in result["satisfaction"]["by_task"]:
        row["label"] = TASK_LABELS.get(row["task"], row["task"])
    result["missing"] = rows.missing
    return result


async def build(
    db: Database, tracker: Optional[Database], operator: Optional[OperatorClient], now: dt.datetime, days: int
) -> Dict[str, Any]:
    period = figures.period_ending_today(now, days)
    rows, raw = await sources.read_all(db, tracker, operator, period.since, period.until)
    return await asyncio.get_running_loop().run_in_executor(None, _compute, period, rows, raw)
