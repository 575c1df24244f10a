"""The handoff service's client masks what it relays (bot/clients/desk.py)."""

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clients.base import Endpoint
from bot.clients.desk import DeskClient


async def test_what_is_relayed_to_the_agent_is_masked():
    received = []

    async def relay(request):
        received.append(await request.json())
        return web.json_response({"relayed": True})

    app = web.Application()
    app.router.add_post("/v1/relay", relay)
    async with TestServer(app) as server:
        async with DeskClient(Endpoint("handoff service", str(server.make_url("")), "t" * 20)) as client:
            assert await client.relay("c1", "卡号6222021234567890123，密码 12 34 56，电话13800138000", "inform", 0.5)
    assert received == [
        {
            "sender_id": "c1",
            "text": "卡号***************0123，密码 ** ** **，电话138****8000",
            "intent": "inform",
            "confidence": 0.5,
        }
    ]
