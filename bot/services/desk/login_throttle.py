"""The agent console's login throttle: failed sign-ins counted per account and per client address.

Within any WINDOW (15 minutes), after MAX_FAILURES_PER_ACCOUNT (5) failed sign-ins to one account,
or MAX_FAILURES_PER_ADDRESS (20) from one client address (whatever accounts they named), further
attempts are refused without the password being checked until the oldest counted failure is
older than the window. The failures are rows of the handoff database, so the limits hold across
restarts and across processes.

Every attempt is written as a failure *before* the password is checked (`attempt`), and the
earlier ones are counted after: attempts sent at the same moment see each other, so no burst gets
more than the limit of password checks. A refused attempt takes its row back (being refused does
not lengthen the wait); a successful sign-in clears its account's failures (`succeeded`), not its
address's.
"""

import datetime as dt
from typing import Any, List, Optional, Tuple

from sqlalchemy import delete, select

from bot.core import clock as clk
from bot.core.db import Database
from bot.services.desk.tables import login_failures

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


def _wait(failures: List[dt.datetime], limit: int, now: dt.datetime) -> int:
    """Seconds until fewer than `limit` of the `failures` (oldest first) are within the window."""
    if len(failures) < limit:
        return 0
    until = failures[len(failures) - limit] + WINDOW
    return max(1, int((until - now).total_seconds() + 0.999))


async def _failure_times(conn, condition) -> List[Any]:
    """The times of the failed logins matching `condition`, oldest first."""
    result = await conn.execute(
        select(login_failures.c.at).where(condition).order_by(login_failures.c.at, login_failures.c.id)
    )
    return list(result.scalars().all())


async def attempt(db: Database, username: str, address: str) -> Tuple[int, Optional[int]]:
    """This attempt counted: (its id, None) when the password may be checked; (its id, seconds to
    wait) when it is refused."""
    username, address = username[:32], address[:64]  # as stored
    now = db.clock()
    async with db.write() as conn:
        await conn.execute(delete(login_failures).where(login_failures.c.at <= clk.to_db(now - WINDOW)))
        result = await conn.execute(
            login_failures.insert().values(username=username, address=address, at=clk.to_db(now))
        )
        attempt_id = int(result.inserted_primary_key[0])
    since = clk.to_db(now - WINDOW)
    earlier = (login_failures.c.at > since) & (login_failures.c.id != attempt_id)
    async with db.read() as conn:
        by_account = await _failure_times(conn, earlier & (login_failures.c.username == username))
        by_address = await _failure_times(conn, earlier & (login_failures.c.address == address))
    wait = max(
        _wait([clk.from_db(at) for at in by_account], MAX_FAILURES_PER_ACCOUNT, now),
        _wait([clk.from_db(at) for at in by_address], MAX_FAILURES_PER_ADDRESS, now),
    )
    if not wait:
        return attempt_id, None
    async with db.write() as conn:
        await conn.execute(delete(login_failures).where(login_failures.c.id == attempt_id))
    return attempt_id, wait


async def succeeded(db: Database, username: str) -> None:
    """The account's failures (this attempt's row among them) are forgotten."""
    async with db.write() as conn:
        await conn.execute(delete(login_failures).where(login_failures.c.username == username[:32]))
