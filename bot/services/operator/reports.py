"""What the supervisors' dashboard needs from the backend for a period: each satisfaction rating
and each callback (回访 ticket) opened, as rows. The desk service computes the figures
(bot/services/desk/reports/figures.py); the backend only lists what it holds."""

import datetime as dt
from typing import Any, Dict, List

from sqlalchemy import and_, select

from bot.core import clock as clk
from bot.core.db import Database
from bot.services.operator.tables import satisfaction_ratings, tickets

MAX_DAYS = 92  # a quarter: the longest period one request may ask for
CALLBACK_KIND = "回访"


async def activity(db: Database, since: dt.datetime, until: dt.datetime) -> Dict[str, List[Dict[str, Any]]]:
    """Ratings and callbacks created in [since, until)."""
    start, end = clk.to_db(since), clk.to_db(until)
    rated = satisfaction_ratings.c
    ratings_query = (
        select(rated.sender_id, rated.channel, rated.task, rated.score, rated.created_at)
        .where(and_(rated.created_at >= start, rated.created_at < end))
        .order_by(rated.created_at, rated.id)
    )
    ticket = tickets.c
    callbacks_query = (
        select(ticket.id, ticket.category, ticket.status, ticket.created_at)
        .where(and_(ticket.kind == CALLBACK_KIND, ticket.created_at >= start, ticket.created_at < end))
        .order_by(ticket.created_at, ticket.id)
    )
    async with db.read() as conn:
        ratings = (await conn.execute(ratings_query)).all()
        callbacks = (await conn.execute(callbacks_query)).all()
    return {
        "ratings": [
            {
                "sender_id": row.sender_id,
                "channel": row.channel,
                "task": row.task,
                "score": row.score,
                "created_at": clk.iso(clk.from_db(row.created_at)),
            }
            for row in ratings
        ],
        "callbacks": [
            {
                "ticket_id": row.id,
                "category": row.category,
                "status": row.status,
                "created_at": clk.iso(clk.from_db(row.created_at)),
            }
            for row in callbacks
        ],
    }
