"""bot/rasa/wechat/state.py: the same rules in the process and in Redis."""

import uuid

import pytest
from redis import asyncio as aioredis

from bot.core.kv import MemoryKV, RedisKV
from bot.rasa.wechat.state import WeChatState
from tests.support import REDIS_URL, redis_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def state(request):
    namespace = f"test:{uuid.uuid4().hex[:10]}"
    if request.param == "memory":
        yield WeChatState(MemoryKV(), namespace, remember_s=60)
        return
    redis_client()  # skips (or fails in CI) without Redis
    client = aioredis.Redis.from_url(REDIS_URL)
    yield WeChatState(RedisKV(client), namespace, remember_s=60)
    async for key in client.scan_iter(f"{namespace}*"):
        await client.delete(key)
    await client.close()


async def test_a_nonce_belongs_to_one_message(state):
    assert await state.claim_nonce("n1", "msg-1") is True
    assert await state.claim_nonce("n1", "msg-1") is True  # WeChat's retry of the same message
    assert await state.claim_nonce("n1", "msg-2") is False  # a replay with another body


async def test_one_processing_and_one_reply_per_message(state):
    assert [await state.begin("m") for _ in range(3)] == [True, False, False]
    assert await state.result("m") is None  # still processing
    await state.finish("m", "您好")
    assert await state.result("m") == "您好"
    assert [await state.claim_reply("m") for _ in range(3)] == [True, False, False]


async def test_nothing_to_say_is_a_result_too(state):
    await state.begin("m")
    await state.finish("m", "")
    assert await state.result("m") == ""


async def test_waiters_are_counted(state):
    assert [
        await state.waiting("m", +1),
        await state.waiting("m", +1),
        await state.waiting("m", -1),
        await state.waiting("m", 0),
    ] == [1, 2, 1, 1]


async def test_the_token_and_its_renewal_lease(state):
    assert await state.token() is None
    assert await state.lease_token_renewal(5) is True
    assert await state.lease_token_renewal(5) is False  # someone else is renewing
    await state.save_token("tok-1", state.wall_clock() + 600)
    await state.end_token_renewal()
    token, expires_at = await state.token()
    assert token == "tok-1" and 590 < expires_at - state.wall_clock() <= 600
    assert await state.lease_token_renewal(5) is True


async def test_memory_forgets_what_expired_and_stays_small():
    clock = Clock()
    kv = MemoryKV(clock)
    state = WeChatState(kv, "wx", remember_s=60)
    for number in range(500):
        await state.begin(f"m{number}")
    assert len(kv) == 500
    clock.now += 61
    assert await state.begin("m0") is True  # forgotten: a message that old is refused as stale anyway
    clock.now += MemoryKV.SWEEP_EVERY_S
    await state.begin("late")
    assert len(kv) == 2  # "m0" again and "late": the 500 old ones are gone
