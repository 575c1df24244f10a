"""Service-password verification.

- Per number: 3 wrong tries lock it for 30 minutes. A well-formed number that is not a customer is
  counted and locked in exactly the same way and checked against an unmatchable hash of the same
  cost, so the answers (and their timing) never tell who is a customer.
- Per client (the conversation, and the customer's network address when the channel knows it): at
  most `CLIENT_LIMITS` failed verifications per `CLIENT_WINDOW`. A client over its limit is refused
  (429) before any password is checked and without touching the number's count, so nobody can lock
  many customers out or try common passwords across numbers. The counts live in the database, so
  every replica and process shares them.
"""

import asyncio
import datetime as dt
import hashlib
import ipaddress
import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.errors import ApiError, InvalidInput
from bot.core.passwords import unmatchable_hash, verify_password
from bot.services.operator.errors import VerificationLocked, WrongPassword
from bot.services.operator.tables import (
    customers,
    lines,
    unknown_number_attempts,
    verification_attempts,
    verification_client_failures,
)

MAX_FAILURES = 3
LOCK_DURATION = dt.timedelta(minutes=30)

# Failed verifications allowed per client and window. A conversation may fail twice as often as one
# number allows (a customer with a second line can use up both); an address (a whole IPv6 /64) may
# fail 20 times an hour: a few conversations, or a small office behind one NAT. Over the limit, the
# client waits for its window to end.
CLIENT_WINDOW = dt.timedelta(hours=1)
CLIENT_LIMITS = {"conversation": 6, "address": 20}

# Checked for numbers that are not customers: same scrypt cost, never matches.
_UNMATCHABLE = unmatchable_hash()


class VerificationRateLimited(ApiError):
    status = 429
    code = "verification_rate_limited"


@dataclass(frozen=True)
class ClientKey:
    """Who is trying: `kind` is a key of CLIENT_LIMITS, `value` the conversation id or address."""

    kind: str
    value: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.kind}:{self.value}".encode()).hexdigest()


def client_keys(body: Any) -> List[ClientKey]:
    """The `client` object of a verify request: {"conversation": str, "address": str}, both optional.
    An IPv6 address counts for its whole /64 (one subscriber's network); an IPv4-mapped one as IPv4."""
    if body is None:
        return []
    if not isinstance(body, dict) or set(body) - set(CLIENT_LIMITS):
        raise InvalidInput("client must be an object with conversation and/or address", details={"field": "client"})
    keys = []
    conversation = body.get("conversation")
    if conversation is not None:
        if not isinstance(conversation, str) or not conversation.strip() or len(conversation) > 128:
            raise InvalidInput("client.conversation must be 1-128 characters", details={"field": "client.conversation"})
        keys.append(ClientKey("conversation", conversation))
    address = body.get("address")
    if address is not None:
        keys.append(ClientKey("address", network_of(address)))
    return keys


def network_of(address: Any) -> str:
    """The rate-limited unit of a client address: the IPv4 address, or the IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address if isinstance(address, str) else "")
    except ValueError:
        raise InvalidInput("client.address must be an IP address", details={"field": "client.address"}) from None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


async def verify(db: Database, phone: str, password: str, clients: Sequence[ClientKey] = ()) -> Dict[str, Any]:
    """Check the service password of `phone` for `clients`.

    The client rows, then the number's row, are locked for the whole check (FOR UPDATE on PostgreSQL,
    always in that order and the clients sorted, so no two checks deadlock; the writer lock on
    SQLite), so parallel guesses cannot slip past any count.
    """
    error: Exception
    now = db.clock()
    clients = sorted(set(clients), key=lambda key: key.digest)
    async with db.write() as conn:
        counts = [await _client_failures(db, conn, key, now) for key in clients]
        for key, (failures, window_start) in zip(clients, counts, strict=True):
            if failures >= CLIENT_LIMITS[key.kind]:
                retry_after = math.ceil((window_start + CLIENT_WINDOW - now).total_seconds())
                raise VerificationRateLimited(
                    "too many failed verifications from this client; try again later",
                    details={"limit": key.kind, "retry_after_seconds": retry_after},
                )
        row = (
            await conn.execute(
                select(lines.c.password_hash, customers.c.name)
                .join(customers, customers.c.id == lines.c.customer_id)
                .where(lines.c.phone == phone)
            )
        ).first()
        table = verification_attempts if row is not None else unknown_number_attempts
        await _insert_if_missing(db, conn, table, {"phone": phone, "failures": 0, "locked_until": None})
        attempts = (await conn.execute(select(table).where(table.c.phone == phone).with_for_update())).one()
        failures = attempts.failures
        if attempts.locked_until:
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
        stored = row.password_hash if row is not None else _UNMATCHABLE
        if await asyncio.to_thread(verify_password, password, stored) and row is not None:
            await _store_attempts(conn, table, phone, 0, None)
            return {"phone": phone, "verified": True, "customer_name": row.name}
        for key, (client_failures, window_start) in zip(clients, counts, strict=True):
            await conn.execute(
                update(verification_client_failures)
                .where(verification_client_failures.c.client_key == key.digest)
                .values(failures=client_failures + 1, window_start=clk.to_db(window_start))
            )
        failures += 1
        if failures >= MAX_FAILURES:
            locked_until = now + LOCK_DURATION
            await _store_attempts(conn, table, phone, failures, locked_until)
            error = VerificationLocked(
                "too many wrong passwords; verification is locked",
                details={
                    "locked_until": clk.iso(locked_until),
                    "retry_after_seconds": int(LOCK_DURATION.total_seconds()),
                },
            )
        else:
            await _store_attempts(conn, table, phone, failures, None)
            error = WrongPassword("wrong service password", details={"attempts_left": MAX_FAILURES - failures})
    # Raised after the transaction committed, so the failure counts are kept.
    raise error


async def _client_failures(
    db: Database, conn: AsyncConnection, key: ClientKey, now: dt.datetime
) -> Tuple[int, dt.datetime]:
    """(failures in the current window, start of that window), with the client's row locked.
    A window that has ended counts as a fresh one starting now."""
    table = verification_client_failures
    await _insert_if_missing(db, conn, table, {"client_key": key.digest, "window_start": clk.to_db(now), "failures": 0})
    row = (await conn.execute(select(table).where(table.c.client_key == key.digest).with_for_update())).one()
    window_start = clk.from_db(row.window_start)
    if now - window_start >= CLIENT_WINDOW:
        return 0, now
    return row.failures, window_start


async def _insert_if_missing(db: Database, conn: AsyncConnection, table: Table, values: Dict[str, Any]) -> None:
    """Insert a row unless its primary key exists; parallel inserts on PostgreSQL do not fail."""
    dialect = sqlite if db.is_sqlite else postgresql
    await conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


async def _store_attempts(
    conn: AsyncConnection, table: Table, phone: str, failures: int, locked_until: Optional[dt.datetime]
) -> None:
    values = {"failures": failures, "locked_until": clk.to_db(locked_until) if locked_until else None}
    await conn.execute(update(table).where(table.c.phone == phone).values(**values))


async def prune_counters(db: Database) -> int:
    """Delete counters that no longer change any answer: client windows that have ended, and the locks
    of unknown numbers that have expired (such a row answers like no row at all). For a scheduled job;
    returns the number of rows deleted."""
    now = db.clock()
    async with db.write() as conn:
        clients = await conn.execute(
            delete(verification_client_failures).where(
                verification_client_failures.c.window_start <= clk.to_db(now - CLIENT_WINDOW)
            )
        )
        strangers = await conn.execute(
            delete(unknown_number_attempts).where(unknown_number_attempts.c.locked_until <= clk.to_db(now))
        )
    return clients.rowcount + strangers.rowcount
