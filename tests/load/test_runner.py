"""bot/load/runner.py: locust run for real, as `make loadtest` runs it, against a fake REST webhook
on a free port that answers the FAQ conversation right, everything else wrong, and one message with
a 502."""

import asyncio
import re
from typing import Dict, List

import pytest
from aiohttp import web

from bot.load.runner import LoadFailed, LoadSpec, locust_command, measured, run_load
from bot.load.scenarios import SCENARIOS
from tests.support import serve

TOKEN = "load-test-token-0123456789"
FAQ = next(s for s in SCENARIOS if s.name == "faq")
ANSWERS = {
    "你好": "您好，我是智能客服小联。",
    "话费怎么交": "交话费的方式有：……",
    "电子发票怎么下载": "请到发票管理下载。",
}


def webhook(received: List[Dict[str, str]]) -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        received.append({**body, "authorization": request.headers.get("Authorization", "")})
        if body["message"] == "电子发票怎么下载":
            return web.Response(status=502, text="bad gateway")
        text = ANSWERS.get(body["message"], "对不起，我没听懂")
        return web.json_response([{"recipient_id": body["sender"], "text": text}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", answer)
    return app


async def test_locust_customers_hold_conversations_and_every_answer_is_judged(tmp_path):
    received: List[Dict[str, str]] = []
    async with serve(webhook(received)) as url:
        spec = LoadSpec(url=f"{url}/webhooks/rest/webhook", token=TOKEN, customers=4, duration_s=4.0, warmup_s=1.0,
                        think_s=(0.05, 0.1), seed=5)  # fmt: skip
        load = await asyncio.to_thread(run_load, spec, tmp_path / "csv" / "fake-4")
    assert received and {r["authorization"] for r in received} == {f"Bearer {TOKEN}"}
    first_turns = {s.turns[0][0] for s in SCENARIOS}
    by_sender: Dict[str, List[str]] = {}
    for r in received:
        by_sender.setdefault(r["sender"], []).append(r["message"])
    for sender, messages in by_sender.items():
        assert re.fullmatch(r"load-[a-z]+-[0-9a-f]{12}", sender) and messages[0] in first_turns
        # A conversation stops at its first wrong answer: only the FAQ one gets past its first turn.
        if sender.startswith("load-faq-"):
            assert messages == [turn[0] for turn in FAQ.turns[: len(messages)]] and len(messages) <= 3
        else:
            assert len(messages) == 1
    assert len(load.samples) == len(received)
    errors = {s.error for s in load.samples if not s.ok}
    assert errors <= {f"unexpected reply to {text!r}" for text in first_turns if text != "你好"} | {"http 502"}
    assert "http 502" in errors and any(s.ok for s in load.samples)
    assert all(0 <= s.started < 7 and s.latency_ms >= 0 for s in load.samples)
    assert measured(load.samples, spec) == [s for s in load.samples if 1.0 <= s.started < 5.0]
    assert {path.name for path in load.csv} >= {"fake-4_stats.csv", "fake-4_failures.csv", "fake-4_stats_history.csv"}
    assert "http 502" in (tmp_path / "csv" / "fake-4_failures.csv").read_text(encoding="utf-8")
    assert load.generator_cpu_s > 0 and load.wall_s >= 5.0


def test_the_command_aims_locust_at_the_webhooks_host_with_every_customer_at_once():
    spec = LoadSpec(url="http://127.0.0.1:5005/webhooks/rest/webhook", token=None, customers=50, duration_s=60,
                    warmup_s=10)  # fmt: skip
    command = locust_command(spec)
    assert command[1:3] == ["-m", "locust"] and "--headless" in command and "--csv" not in command
    pairs = dict(zip(command[5::1], command[6::1], strict=False))
    assert (pairs["--host"], pairs["--users"], pairs["--spawn-rate"], pairs["--run-time"]) == (
        "http://127.0.0.1:5005",
        "50",
        "50",
        "70s",
    )


def test_a_locust_that_cannot_start_fails_the_run_with_its_reason():
    spec = LoadSpec(url="http://127.0.0.1:9/webhooks/rest/webhook", token=TOKEN, customers=1, duration_s=1,
                    warmup_s=0, think_s=(3.0, 1.0))  # fmt: skip
    with pytest.raises(LoadFailed, match=r"locust exited with code \d+: [\s\S]*TELEBOT_LOAD_THINK"):
        run_load(spec)
