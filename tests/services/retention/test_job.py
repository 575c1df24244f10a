"""bot/services/retention/job.py: the retention job against a real handoff service, a tracker store
(SQLite and PostgreSQL) and an export directory; its /health; its place in the stack."""

import asyncio
import datetime as dt
import os
from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from rasa.shared.core.events import SessionStarted, UserUttered

from bot.clients.base import Endpoint
from bot.clients.desk import DeskClient
from bot.services.desk import cases
from bot.services.desk.app import create_app as create_handoff
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.settings import HandoffSettings
from bot.services.retention.job import create_app, run_once
from bot.services.retention.settings import RetentionSettings
from tests.services.retention.conftest import sqlite_tracker
from tests.support import FakeClock

TOKEN = "handoff-test-token-0123456789"
DAY = dt.timedelta(days=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def handoff(tmp_path, clock) -> AsyncIterator[TestServer]:
    settings = HandoffSettings(
        database_url=f"sqlite:///{tmp_path / 'handoff.db'}",
        service_token=TOKEN,
        rasa_url="http://127.0.0.1:9",
        rasa_token="rasa-test-token-0123456789",
    )
    app = create_handoff(settings, clock=clock, retry=False)
    async with TestServer(app) as server:
        yield server


async def _fill(tracker, handoff_server, clock, exports_dir):
    """Data from 200 days before `clock`'s time and from yesterday, everywhere the job looks."""
    db = handoff_server.app[SERVICE_KEY].db
    old = clock() - 200 * DAY
    case = dict(
        channel="socketio",
        masked_phone=None,
        verified=False,
        reason="requested",
        context={},
        transcript=[{"role": "customer", "text": "转人工"}],
    )
    clock.advance(days=-200)
    await cases.create(db, sender_id="old", **case)
    clock.advance(days=199)
    await cases.create(db, sender_id="recent", **case)
    clock.advance(days=1)
    await tracker.save(
        "old", [SessionStarted(timestamp=old.timestamp()), UserUttered("你好", timestamp=old.timestamp() + 1)]
    )
    await tracker.save("recent", [SessionStarted(timestamp=(clock() - DAY).timestamp())])
    exports_dir.mkdir()
    for name, moment in (("review-old.yml", old), ("review-new.yml", clock() - DAY)):
        (exports_dir / name).write_text("x")
        os.utime(exports_dir / name, (moment.timestamp(), moment.timestamp()))


def _settings(tracker, url, exports_dir, **kwargs):
    return RetentionSettings(
        days=180, tracker_url=tracker.url, handoff_url=url, handoff_token=TOKEN, exports_dir=exports_dir, **kwargs
    )


async def test_one_run_deletes_everything_past_the_period_and_a_second_nothing(tracker, handoff, clock, tmp_path):
    exports_dir = tmp_path / "review"
    await _fill(tracker, handoff, clock, exports_dir)
    settings = _settings(tracker, str(handoff.make_url("")), exports_dir)
    async with DeskClient(Endpoint("handoff service", settings.handoff_url, TOKEN)) as client:
        report = await run_once(settings, client, clock())
        again = await run_once(settings, client, clock())
    assert report == {
        "at": clock().isoformat(timespec="seconds"),
        "cutoff": (clock() - 180 * DAY).isoformat(timespec="seconds"),
        "days": 180,
        "errors": [],
        "deleted": {
            "tracker_events": 2,
            "exports": ["review-old.yml"],
            "handoff": {"cases": 1, "case_messages": 1, "outbox": 0, "pending_tickets": 0, "agent_sessions": 0},
        },
    }
    assert [row[0] for row in tracker.rows()] == ["recent"]
    assert [c["sender_id"] for c in await cases.queued(handoff.app[SERVICE_KEY].db)] == ["recent"]
    assert sorted(p.name for p in exports_dir.iterdir()) == ["review-new.yml"]
    assert again["deleted"] == {
        "tracker_events": 0,
        "exports": [],
        "handoff": {"cases": 0, "case_messages": 0, "outbox": 0, "pending_tickets": 0, "agent_sessions": 0},
    }


async def test_runs_on_two_hosts_at_once_delete_each_thing_once(tracker, handoff, clock, tmp_path):
    exports_dir = tmp_path / "review"
    await _fill(tracker, handoff, clock, exports_dir)
    settings = _settings(tracker, str(handoff.make_url("")), exports_dir)
    async with (
        DeskClient(Endpoint("a", settings.handoff_url, TOKEN)) as one,
        DeskClient(Endpoint("b", settings.handoff_url, TOKEN)) as two,
    ):
        first, second = await asyncio.gather(run_once(settings, one, clock()), run_once(settings, two, clock()))
    assert first["errors"] == second["errors"] == []
    assert first["deleted"]["tracker_events"] + second["deleted"]["tracker_events"] == 2
    assert first["deleted"]["handoff"]["cases"] + second["deleted"]["handoff"]["cases"] == 1
    assert sorted(first["deleted"]["exports"] + second["deleted"]["exports"]) == ["review-old.yml"]
    assert [row[0] for row in tracker.rows()] == ["recent"]


async def test_a_failing_step_does_not_stop_the_others(tmp_path, clock):
    tracker = sqlite_tracker(tmp_path / "tracker.db")
    old = (clock() - 200 * DAY).timestamp()
    await tracker.save("old", [SessionStarted(timestamp=old)])
    settings = _settings(tracker, "http://127.0.0.1:9", tmp_path / "review")  # nothing listens on port 9
    async with DeskClient(Endpoint("handoff service", settings.handoff_url, TOKEN, timeout_s=5)) as client:
        report = await run_once(settings, client, clock())
    assert report["errors"] == [
        "handoff: handoff service (http://127.0.0.1:9) did not answer POST /v1/retention/purge: ClientConnectorError"
    ]
    assert report["deleted"] == {"tracker_events": 1, "exports": []}


async def test_the_process_runs_at_start_and_reports_on_health(tracker, handoff, clock, tmp_path):
    exports_dir = tmp_path / "review"
    await _fill(tracker, handoff, clock, exports_dir)
    settings = _settings(tracker, str(handoff.make_url("")), exports_dir)
    async with TestClient(TestServer(create_app(settings, clock))) as client:
        for _ in range(100):
            health = await (await client.get("/health")).json()
            if health["last_run"]:
                break
            await asyncio.sleep(0.05)
    assert (health["status"], health["retention_days"], health["last_run"]["errors"]) == ("ok", 180, [])
    assert health["last_run"]["deleted"]["tracker_events"] == 2
    assert [row[0] for row in tracker.rows()] == ["recent"]
