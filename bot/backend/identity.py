"""Service-password verification with a per-number lock: 3 wrong tries lock it for 30 minutes."""

import asyncio
import datetime as dt
from typing import Any, Dict

from sqlalchemy import select, update

from bot.backend import clock as clk
from bot.backend.db import Database
from bot.backend.errors import UnknownNumber, VerificationLocked, WrongPassword
from bot.backend.passwords import verify_password
from bot.backend.tables import customers, lines, verification_attempts

MAX_FAILURES = 3
LOCK_DURATION = dt.timedelta(minutes=30)


async def verify(db: Database, phone: str, password: str) -> Dict[str, Any]:
    """Check the service password of `phone`.

    The attempts row is locked for the whole check (FOR UPDATE on PostgreSQL, the writer lock on
    SQLite), so parallel guesses cannot slip past the failure count.
    """
    error: Exception
    async with db.write() as conn:
        row = (
            await conn.execute(
                select(lines.c.password_hash, customers.c.name)
                .join(customers, customers.c.id == lines.c.customer_id)
                .where(lines.c.phone == phone)
            )
        ).first()
        if row is None:
            raise UnknownNumber("unknown phone number")
        attempts = (
            await conn.execute(
                select(verification_attempts)
                .where(verification_attempts.c.phone == phone)
                .with_for_update()
            )
        ).first()
        now = db.clock()
        failures = attempts.failures if attempts else 0
        if attempts and attempts.locked_until:
            locked_until = clk.from_db(attempts.locked_until)
            if locked_until > now:
                raise VerificationLocked(
                    "too many wrong passwords; verification is locked",
                    details={
                        "locked_until": clk.iso(locked_until),
                        "retry_after_seconds": int((locked_until - now).total_seconds()) + 1,
                    },
                )
            failures = 0  # the lock has expired: start counting afresh
        if await asyncio.to_thread(verify_password, password, row.password_hash):
            await _store_attempts(conn, phone, attempts is not None, 0, None)
            return {"phone": phone, "verified": True, "customer_name": row.name}
        failures += 1
        if failures >= MAX_FAILURES:
            locked_until = now + LOCK_DURATION
            await _store_attempts(conn, phone, attempts is not None, failures, locked_until)
            error = VerificationLocked(
                "too many wrong passwords; verification is locked",
                details={
                    "locked_until": clk.iso(locked_until),
                    "retry_after_seconds": int(LOCK_DURATION.total_seconds()),
                },
            )
        else:
            await _store_attempts(conn, phone, attempts is not None, failures, None)
            error = WrongPassword(
                "wrong service password", details={"attempts_left": MAX_FAILURES - failures}
            )
    # Raised after the transaction committed, so the failure count is kept.
    raise error


async def _store_attempts(conn, phone, exists, failures, locked_until) -> None:  # type: ignore[no-untyped-def]
    values = {
        "failures": failures,
        "locked_until": clk.to_db(locked_until) if locked_until else None,
    }
    if exists:
        await conn.execute(
            update(verification_attempts).where(verification_attempts.c.phone == phone).values(**values)
        )
    else:
        await conn.execute(verification_attempts.insert().values(phone=phone, **values))
