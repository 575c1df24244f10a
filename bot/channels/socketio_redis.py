"""socket.io across Rasa replicas: what one replica emits to a conversation's room reaches the
sockets of that conversation on every replica, through Redis pub/sub.

python-socketio's AsyncRedisManager sends pickles over the channel and unpickles what it receives:
anyone able to publish on the Redis server could make every replica run code. This one speaks JSON.
"""

import json
from typing import Any, AsyncIterator

from socketio import AsyncRedisManager


class JsonRedisManager(AsyncRedisManager):
    async def _publish(self, data: Any) -> Any:
        return await self.redis.publish(self.channel, json.dumps(data, ensure_ascii=False))

    async def _listen(self) -> AsyncIterator[Any]:
        async for message in super()._listen():
            try:
                decoded = json.loads(message)
            except (TypeError, ValueError):
                continue  # not ours (a pickle, noise): ignored, never unpickled
            if isinstance(decoded, dict):
                yield decoded
