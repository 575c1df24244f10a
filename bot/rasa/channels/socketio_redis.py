"""socket.io across Rasa replicas: what one replica emits to a conversation's room reaches the
sockets of that conversation on every replica, through Redis pub/sub.

python-socketio's AsyncRedisManager sends pickles over the channel and unpickles what it receives:
anyone able to publish on the Redis server could make every replica run code. This one speaks JSON.
"""

import json
import logging
from typing import Any, AsyncIterator

from redis.exceptions import RedisError
from socketio import AsyncRedisManager

logger = logging.getLogger(__name__)


class JsonRedisManager(AsyncRedisManager):
    async def _publish(self, data: Any) -> Any:
        message = json.dumps(data, ensure_ascii=False)
        for attempt in (1, 2):
            try:
                return await self.redis.publish(self.channel, message)
            except RedisError as error:
                if attempt == 2:
                    # Nothing to retry with: the message is in the tracker, but this push is lost.
                    logger.error("could not publish a socket.io message to Redis: %r", error)
                    return None
                self._redis_connect()

    async def _listen(self) -> AsyncIterator[Any]:
        async for message in super()._listen():
            try:
                decoded = json.loads(message)
            except (TypeError, ValueError):
                continue  # not ours (a pickle, noise): ignored, never unpickled
            if isinstance(decoded, dict):
                yield decoded
