"""What the WeChat channel must remember between requests, in the process (embedded) or in Redis
(production: WeChat's retry of a message can reach another replica than the message itself).

`WeChatState` holds the rules (a nonce belongs to one message; a message is processed once and
answered once; one access_token for the account, renewed by one owner at a time) over a tiny
key-value interface (bot/core/kv.py): `MemoryKV` or `RedisKV`.
"""

import json
import time
from typing import Callable, Optional, Tuple

from bot.core.kv import KV

PROCESSING = "\x00processing"
MAX_CLOCK_SKEW_S = 300  # a message whose timestamp is further from now is refused as stale
# Messages (and their nonces) are remembered for as long as their timestamp is accepted, in both
# directions, so a replay is either recognised as a repeat or refused as stale: never run twice.
REMEMBER_S = 2 * MAX_CLOCK_SKEW_S + 60


class WeChatState:
    def __init__(self, kv: KV, namespace: str, remember_s: float, wall_clock: Callable[[], float] = time.time) -> None:
        self.kv = kv
        self.ns = namespace
        self.remember_s = remember_s
        self.wall_clock = wall_clock

    def _key(self, *parts: str) -> str:
        return ":".join((self.ns, *parts))

    async def claim_nonce(self, nonce: str, message_key: str) -> bool:
        """False when the nonce came with another message (a replay with another body)."""
        key = self._key("nonce", nonce)
        if await self.kv.set(key, message_key, self.remember_s, only_new=True):
            return True
        return await self.kv.get(key) == message_key

    async def begin(self, message_key: str) -> bool:
        """True for the one request (of all retries, on all replicas) that must process the message."""
        return await self.kv.set(self._key("msg", message_key), PROCESSING, self.remember_s, only_new=True)

    async def finish(self, message_key: str, text: str) -> None:
        await self.kv.set(self._key("msg", message_key), text, self.remember_s)

    async def result(self, message_key: str) -> Optional[str]:
        """The answer once processed ("" if there is nothing to say), None while processing."""
        value = await self.kv.get(self._key("msg", message_key))
        return None if value is None or value == PROCESSING else value

    async def waiting(self, message_key: str, delta: int) -> int:
        """Requests waiting to answer the message passively, after adding `delta`."""
        return await self.kv.add(self._key("waiting", message_key), delta, self.remember_s)

    async def claim_reply(self, message_key: str) -> bool:
        """True once per message: whoever gets it sends the answer (passively or through the API)."""
        return await self.kv.set(self._key("replied", message_key), "1", self.remember_s, only_new=True)

    # The account's access_token: stored with its (wall-clock) expiry, renewed under a short lease.
    async def token(self) -> Optional[Tuple[str, float]]:
        raw = await self.kv.get(self._key("token"))
        if raw is None:
            return None
        stored = json.loads(raw)
        return stored["token"], float(stored["expires_at"])

    async def save_token(self, token: str, expires_at: float) -> None:
        ttl = max(1.0, expires_at - self.wall_clock())
        await self.kv.set(self._key("token"), json.dumps({"token": token, "expires_at": expires_at}), ttl)

    async def lease_token_renewal(self, lease_s: float) -> bool:
        return await self.kv.set(self._key("token-renewal"), "1", lease_s, only_new=True)

    async def end_token_renewal(self) -> None:
        await self.kv.delete(self._key("token-renewal"))
