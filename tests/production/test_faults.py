"""The production profile's tracker database refusing connections (a real PostgreSQL fault)."""

import asyncio
import contextlib
import uuid

import pytest

from tests.support import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.e2e

ASK_METHOD = "请选择支付方式：微信、支付宝或银行卡。"
STORE_DOWN = "抱歉，系统正在维护，暂时无法办理业务（不会产生任何扣费）。请稍后再试，或拨打客服热线 10010。"


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def database_down(name: str):
    """No new connection to `name`, and every open one cut: what a failed database server looks like."""
    asyncio.run(_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
    asyncio.run(_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
    try:
        yield
    finally:
        asyncio.run(_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


def test_no_money_moves_while_the_tracker_store_is_down(production):
    conversation = f"prod-store-down-{uuid.uuid4().hex[:8]}"
    tracker_db = production.settings.tracker_db_url.rsplit("/", 1)[1]
    balance = production.backend_get("/v1/lines/13900139000/balance")["balance_fen"]
    assert production.say(conversation, "给13900139000充五十块话费") == (200, [ASK_METHOD])
    assert production.say(conversation, "支付宝")[1][0].startswith("请确认：为 139****9000 缴纳话费 50.00 元")
    with database_down(tracker_db):
        for replica in (None, 0, 1):
            assert production.say(conversation, "确认", replica=replica) == (200, [STORE_DOWN])
    assert production.backend_get("/v1/lines/13900139000/balance")["balance_fen"] == balance
    # Back: the conversation is where it was (nothing was lost), and the confirmation charges once.
    status, replies = production.say(conversation, "确认")
    assert status == 200 and replies[0].startswith("缴费成功！已为 139****9000 缴纳话费 50.00 元（支付宝）"), replies
    assert production.backend_get("/v1/lines/13900139000/balance")["balance_fen"] == balance + 5000
