"""A suggestion that Rasa cannot give in time is no suggestion (bot/clients/rasa.py)."""

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clients import rasa
from bot.clients.base import Endpoint
from bot.clients.rasa import RasaClient


async def test_parse_returns_rasa_answer_or_none_when_it_fails_or_is_late(monkeypatch):
    monkeypatch.setattr(rasa, "PARSE_TIMEOUT_S", 0.2)
    answers = [web.json_response({"intent": {"name": "query_balance"}}), web.Response(status=500), None]

    async def parse(_request):
        answer = answers.pop(0)
        if answer is None:
            await asyncio.sleep(1)
            return web.json_response({})
        return answer

    app = web.Application()
    app.router.add_post("/webhooks/handoff/parse", parse)
    async with TestServer(app) as server:
        async with RasaClient(Endpoint("Rasa", str(server.make_url("")), "t" * 20)) as client:
            assert await client.parse("查话费") == {"intent": {"name": "query_balance"}}
            assert await client.parse("查话费") is None
            assert await client.parse("查话费") is None
