"""A tiny key-value store with expiry, in the process (embedded profile) or in Redis (production:
shared by every replica). Used by the WeChat channel's state and the channels' rate limit."""

import time
from typing import Any, Callable, Dict, Optional, Protocol, Tuple


class KV(Protocol):
    async def set(self, key: str, value: str, ttl_s: float, *, only_new: bool = False) -> bool: ...

    async def get(self, key: str) -> Optional[str]: ...

    async def add(self, key: str, delta: int, ttl_s: float) -> int: ...

    async def delete(self, key: str) -> None: ...


class MemoryKV:
    """In one process: a dict with expiry times, swept now and then so it never grows without bound."""

    SWEEP_EVERY_S = 30.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._data: Dict[str, Tuple[str, float]] = {}
        self._next_sweep = clock() + self.SWEEP_EVERY_S

    def _live(self, key: str) -> Optional[str]:
        entry = self._data.get(key)
        if entry is None or entry[1] <= self.clock():
            self._data.pop(key, None)
            return None
        return entry[0]

    def _sweep(self) -> None:
        now = self.clock()
        if now >= self._next_sweep:
            self._data = {key: entry for key, entry in self._data.items() if entry[1] > now}
            self._next_sweep = now + self.SWEEP_EVERY_S

    def __len__(self) -> int:
        return len(self._data)

    async def set(self, key: str, value: str, ttl_s: float, *, only_new: bool = False) -> bool:
        self._sweep()
        if only_new and self._live(key) is not None:
            return False
        self._data[key] = (value, self.clock() + ttl_s)
        return True

    async def get(self, key: str) -> Optional[str]:
        return self._live(key)

    async def add(self, key: str, delta: int, ttl_s: float) -> int:
        value = int(self._live(key) or 0) + delta
        self._data[key] = (str(value), self.clock() + ttl_s)
        return value

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)


class RedisKV:
    """Shared by every replica (redis.asyncio)."""

    def __init__(self, client: Any) -> None:
        self.red = client

    async def set(self, key: str, value: str, ttl_s: float, *, only_new: bool = False) -> bool:
        return bool(await self.red.set(key, value, px=max(1, int(ttl_s * 1000)), nx=only_new))

    async def get(self, key: str) -> Optional[str]:
        value = await self.red.get(key)
        return value.decode() if isinstance(value, bytes) else value

    async def add(self, key: str, delta: int, ttl_s: float) -> int:
        async with self.red.pipeline(transaction=True) as pipe:
            pipe.incrby(key, delta)
            pipe.pexpire(key, max(1, int(ttl_s * 1000)))
            value, _ = await pipe.execute()
        return int(value)

    async def delete(self, key: str) -> None:
        await self.red.delete(key)


def kv_from_url(redis_url: str) -> KV:
    """Redis when a URL is given, else a store in this process."""
    if not redis_url:
        return MemoryKV()
    from redis import asyncio as aioredis

    return RedisKV(aioredis.Redis.from_url(redis_url, socket_timeout=5))
