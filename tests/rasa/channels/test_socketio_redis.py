"""bot/rasa/channels/socketio_redis.py: socket.io messages between replicas are JSON, and a pickle on the
channel is ignored, never unpickled."""

import asyncio
import pickle
import uuid

from redis import asyncio as aioredis

from bot.rasa.channels.socketio_redis import JsonRedisManager
from tests.support import REDIS_URL, redis_client


class Boom:
    def __reduce__(self):
        return (exec, ("raise SystemExit('unpickled!')",))


async def test_messages_cross_as_json_and_pickles_are_dropped():
    redis_client()  # skips (or fails in CI) without Redis
    channel = f"test-socketio-{uuid.uuid4().hex[:8]}"
    sender, receiver = JsonRedisManager(REDIS_URL, channel=channel), JsonRedisManager(REDIS_URL, channel=channel)
    raw = aioredis.Redis.from_url(REDIS_URL)
    received = []

    async def listen():
        async for message in receiver._listen():
            received.append(message)
            if len(received) == 2:
                return

    listening = asyncio.ensure_future(listen())
    await asyncio.sleep(0.2)  # subscribed
    await raw.publish(channel, pickle.dumps(Boom()))  # someone with access to Redis
    await raw.publish(channel, b"not json")
    await sender._publish({"method": "emit", "event": "bot_uttered", "data": {"text": "您好"}, "room": "web:1"})
    await sender._publish({"method": "emit", "event": "bot_uttered", "data": {"text": "再见"}, "room": "web:1"})
    await asyncio.wait_for(listening, 5)
    assert received == [
        {"method": "emit", "event": "bot_uttered", "data": {"text": "您好"}, "room": "web:1"},
        {"method": "emit", "event": "bot_uttered", "data": {"text": "再见"}, "room": "web:1"},
    ]
    for client in (sender.redis, receiver.redis, raw):
        await client.close()
