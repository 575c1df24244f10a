"""bot/rasa/locks.py against the local Redis: tickets, mutual exclusion across processes, crashed holders."""

import asyncio
import multiprocessing
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError

from bot.rasa.locks import AtomicRedisLockStore
from tests.support import redis_client

COUNTER = "counter"


@pytest.fixture
def prefix():
    client = redis_client()
    name = f"test{uuid.uuid4().hex[:10]}"
    yield name
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def store(prefix: str) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(client=redis_client(), key_prefix=prefix)


def _increment_under_lock(prefix: str, rounds: int) -> None:
    """In a separate process: read-sleep-write a shared counter under the conversation's lock."""
    lock_store, client = store(prefix), redis_client()

    async def work() -> None:
        for _ in range(rounds):
            async with lock_store.lock("conversation"):
                value = int(client.get(f"{prefix}{COUNTER}") or 0)
                await asyncio.sleep(0.001)  # a lost update shows if two processes are ever inside at once
                client.set(f"{prefix}{COUNTER}", value + 1)

    asyncio.run(work())


def test_processes_take_turns_on_a_conversation(prefix):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment_under_lock, args=(prefix, 40)) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert int(redis_client().get(f"{prefix}{COUNTER}")) == 6 * 40
    assert store(prefix).get_lock("conversation") is None  # the last one out removed the lock


def test_tickets_are_issued_in_order_and_the_lock_goes_with_the_last(prefix):
    lock_store = store(prefix)
    assert [lock_store.issue_ticket("c", 10) for _ in range(3)] == [0, 1, 2]
    assert lock_store.get_lock("c").now_serving == 0
    lock_store.cleanup("c", 0)
    assert lock_store.get_lock("c").now_serving == 1
    lock_store.cleanup("c", 2)
    lock_store.cleanup("c", 1)
    assert lock_store.get_lock("c") is None


def test_a_concurrent_change_is_retried_not_lost(prefix, monkeypatch):
    """Another process issues a ticket between our read and our write: our transaction starts over."""
    lock_store, other = store(prefix), store(prefix)
    original = AtomicRedisLockStore._change
    interfered = []

    def change_with_interference(self, conversation_id, change):
        def interfering(lock):
            if not interfered:
                interfered.append(
                    original(other, conversation_id, lambda lock: lock.issue_ticket(10))
                )  # before our EXEC
            return change(lock)

        return original(self, conversation_id, interfering)

    monkeypatch.setattr(AtomicRedisLockStore, "_change", change_with_interference)
    assert lock_store.issue_ticket("c", 10) == 1
    assert interfered == [0]
    monkeypatch.undo()
    assert [t.number for t in lock_store.get_lock("c").tickets] == [0, 1]


async def test_a_crashed_holder_blocks_only_until_its_ticket_expires(prefix):
    lock_store = store(prefix)
    lock_store.issue_ticket("c", 0.5)  # taken by a replica that then died
    started = time.monotonic()
    async with lock_store.lock("c", 10):
        waited = time.monotonic() - started
    assert 0.4 < waited < 2.0
    assert lock_store.get_lock("c") is None


def test_locks_expire_in_redis_with_their_tickets(prefix):
    lock_store = store(prefix)
    lock_store.issue_ticket("c", 5)
    ttl_ms = redis_client().pttl(f"{prefix}:lock:c")
    assert 5000 < ttl_ms <= 6100


def test_redis_down_is_a_lock_error():
    lock_store = AtomicRedisLockStore(client=redis.Redis(port=1, socket_connect_timeout=0.2), key_prefix="x")
    with pytest.raises(LockError):
        lock_store.issue_ticket("c")
