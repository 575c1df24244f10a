"""A Redis lock store that is safe across processes (endpoints.production.yml: `bot.rasa.locks.AtomicRedisLockStore`).

Rasa serialises the messages of one conversation with a ticket lock kept in its lock store. Rasa
Open Source's `RedisLockStore` reads the lock, changes it in Python and writes it back: two replicas
that take a message of the same conversation at the same moment can both read "no lock", both
issue ticket 0, and both go ahead, so one tracker save overwrites the other's events. Cleanup has
the same race: a replica can delete a lock another one has just queued a ticket on (that message
then fails with a LockError). Here every change of a lock is one optimistic Redis transaction
(WATCH / MULTI / EXEC, retried on conflict), with Rasa's own `TicketLock` semantics unchanged. Locks
also carry a Redis expiry, so a replica killed while holding one cannot wedge the conversation for
longer than a ticket's lifetime. A waiting message polls every `POLL_S` instead of Rasa's 1 s.
"""

import json
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

POLL_S = 0.02
T = TypeVar("T")


class AtomicRedisLockStore(LockStore):
    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        *,
        client: Optional[redis.Redis] = None,
        key_prefix: str = "",
    ) -> None:
        if client is None:
            config = endpoint_config.kwargs if endpoint_config is not None else {}
            url = (
                endpoint_config.url
                if endpoint_config is not None and endpoint_config.url
                else "redis://127.0.0.1:6379/1"
            )
            client = redis.Redis.from_url(url, socket_timeout=float(config.get("socket_timeout", 10)))
            key_prefix = str(config.get("key_prefix") or key_prefix)
        self.red = client
        self.key_prefix = f"{key_prefix}:lock:" if key_prefix else "lock:"
        super().__init__()

    def _key(self, conversation_id: Text) -> str:
        return self.key_prefix + conversation_id

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], T]) -> T:
        """Apply `change` to the conversation's lock in one transaction (retried if another process got there first)."""
        key = self._key(conversation_id)
        result: Any = None

        def transaction(pipe: "redis.client.Pipeline") -> None:
            nonlocal result
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
            result = change(lock)
            pipe.multi()
            if lock.is_someone_waiting():
                # Outlives every ticket on it; a crashed holder cannot keep it for ever.
                lifetime_ms = max(1, int((max(t.expires for t in lock.tickets) - time.time()) * 1000)) + 1000
                pipe.set(key, lock.dumps(), px=lifetime_ms)
            else:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return result

    # The read-modify-write operations of LockStore, made atomic.
    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        if self.red.exists(self._key(conversation_id)):
            self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # Removing the ticket and deleting the emptied lock happen in the same transaction.
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_S
    ) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock

    # Plain reads and writes (used by LockStore's reads and by tests).
    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        raw = self.red.get(self._key(conversation_id))
        return TicketLock.from_dict(json.loads(raw)) if raw else None

    def delete_lock(self, conversation_id: Text) -> None:
        self.red.delete(self._key(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        self.red.set(self._key(lock.conversation_id), lock.dumps())
