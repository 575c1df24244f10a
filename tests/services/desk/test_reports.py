"""The supervisors' dashboard through the console API: the hand-computed set of
tests/services/desk/reports/fixture.py, read from a tracker store file, the handoff database and a
backend on a free port."""

import csv
import io
from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.services.desk import agents
from bot.services.desk.app import create_app
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.settings import HandoffSettings
from tests.services.desk.conftest import DELIVERY_TOKEN, TOKEN, sign_in
from tests.services.desk.reports import fixture

OPERATOR_TOKEN = "operator-test-token-0123456789"


@pytest.fixture
async def operator_url() -> AsyncIterator[str]:
    async with TestServer(fixture.operator_app(OPERATOR_TOKEN)) as server:
        yield str(server.make_url("")).rstrip("/")


async def desk(database_url, fake_rasa, clock, tracker_url, operator_url):
    settings = HandoffSettings(
        database_url=database_url,
        service_token=TOKEN,
        rasa_url=fake_rasa.url,
        rasa_token=DELIVERY_TOKEN,
        operator_url=operator_url,
        operator_token=OPERATOR_TOKEN,
        tracker_url=tracker_url,
    )
    app = create_app(settings, clock=clock, retry=False)
    client = TestClient(TestServer(app))
    await client.start_server()
    db = app[SERVICE_KEY].db
    await agents.create_agent(db, username="1001", name="王芳", password="password-1001")
    await agents.create_agent(db, username="1002", name="李强", password="password-1002")
    await agents.create_agent(db, username="2001", name="陈静", password="password-2001", role="supervisor")
    await fixture.seed_cases(db, {1: 1, 2: 2})
    return client


@pytest.fixture
async def seeded(database_url, fake_rasa, clock, operator_url, tmp_path) -> AsyncIterator[TestClient]:
    path = tmp_path / "tracker.db"
    fixture.write_tracker(str(path))
    client = await desk(database_url, fake_rasa, clock, f"sqlite:///file:{path}?mode=ro&uri=true", operator_url)
    yield client
    await client.close()


async def test_a_supervisor_sees_the_figures_of_every_source(seeded):
    supervisor = await sign_in(seeded, "2001")
    response = await supervisor.get("/api/reports", params={"days": "2"})
    assert response.status == 200
    body = await response.json()
    assert body["missing"] == []
    assert body["totals"] == {
        "conversations": 5,
        "contained": 2,
        "handed_off": 3,
        "by_reason": {"asked": 1, "low_confidence": 1, "complaint": 1, "locked": 0, "backend": 0, "other": 0},
        "abandoned": 1,
        "callbacks": 1,
    }
    assert [day["conversations"] for day in body["daily"]] == [2, 3]
    assert body["queue_wait"] == {"count": 2, "p50_s": 120, "p95_s": 600}
    assert body["first_response"] == {"count": 2, "p50_s": 60, "p95_s": 300}
    assert [(a["agent_name"], a["count"], a["average"]) for a in body["satisfaction"]["by_agent"]] == [
        ("王芳", 2, 4.0),
        ("李强", 1, 2.0),
    ]
    assert body["understanding"]["unrecognised"] == [
        {"text": "asdf乱码", "count": 2},
        {"text": "我的号码138****8000还是不行", "count": 1},
    ]
    assert body["understanding"]["intents"][1] == {"intent": "check_balance", "label": "查询余额", "count": 1}
    await supervisor.close()


async def test_the_tables_export_as_csv(seeded):
    supervisor = await sign_in(seeded, "2001")
    response = await supervisor.get("/api/reports/daily.csv", params={"days": "2"})
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="daily-2026-11-22-2d.csv"'
    text = await response.text()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [
        [
            "日期", "会话数", "机器人独立解决", "转人工", "转人工-客户要求", "转人工-未能理解", "转人工-投诉升级",
            "转人工-验证锁定", "转人工-系统故障", "转人工-其他", "排队放弃", "回电登记",
        ],
        ["2026-11-21", "2", "1", "1", "1", "0", "0", "0", "0", "0", "0", "0"],
        ["2026-11-22", "3", "1", "2", "0", "1", "1", "0", "0", "0", "1", "1"],
    ]  # fmt: skip
    agents_csv = await (await supervisor.get("/api/reports/csat_agents.csv", params={"days": "2"})).text()
    assert list(csv.reader(io.StringIO(agents_csv[1:]))) == [
        ["坐席", "评价数", "平均分", "1分", "2分", "3分", "4分", "5分"],
        ["王芳", "2", "4.00", "0", "0", "1", "0", "1"],
        ["李强", "1", "2.00", "0", "1", "0", "0", "0"],
    ]
    missing = await supervisor.get("/api/reports/everything.csv")
    assert missing.status == 404
    await supervisor.close()


async def test_only_supervisors_see_the_dashboard_and_days_are_checked(seeded):
    agent = await sign_in(seeded, "1001")
    assert (await agent.get("/api/reports")).status == 403
    assert (await agent.get("/api/reports/daily.csv")).status == 403
    await agent.close()
    supervisor = await sign_in(seeded, "2001")
    for days in ("0", "32", "x", "-1"):
        response = await supervisor.get("/api/reports", params={"days": days})
        assert response.status == 400
        assert (await response.json())["field"] == "days"
    await supervisor.close()


async def test_a_source_that_cannot_be_read_is_named_and_the_rest_still_counts(
    database_url, fake_rasa, clock, tmp_path
):
    absent = f"sqlite:///file:{tmp_path / 'none.db'}?mode=ro&uri=true"
    client = await desk(database_url, fake_rasa, clock, absent, "http://127.0.0.1:9")
    try:
        supervisor = await sign_in(client, "2001")
        body = await (await supervisor.get("/api/reports", params={"days": "2"})).json()
        assert body["missing"] == ["tracker", "backend"]
        assert not (tmp_path / "none.db").exists()  # read-only: never created
        assert (body["totals"]["conversations"], body["totals"]["handed_off"]) == (0, 3)
        assert body["queue_wait"]["count"] == 2
        await supervisor.close()
    finally:
        await client.close()


async def test_the_dashboard_page_is_for_supervisors_and_its_chart_library_is_served_locally(client):
    anonymous = await client.get("/dashboard", allow_redirects=False)
    assert (anonymous.status, anonymous.headers["Location"]) == (302, "/login")
    agent = await sign_in(client, "1001")
    redirected = await agent.get("/dashboard", allow_redirects=False)
    assert (redirected.status, redirected.headers["Location"]) == (302, "/")
    await agent.close()
    supervisor = await sign_in(client, "2001")
    page = await supervisor.get("/dashboard")
    assert page.status == 200
    html = await page.text()
    assert '<script src="/static/vendor/chart.umd.min.js" defer></script>' in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    await supervisor.close()
    library = await client.get("/static/vendor/chart.umd.min.js")
    assert library.status == 200
    assert library.headers["Content-Type"].startswith("text/javascript")
    assert "Chart.js v4" in (await library.text())[:300]
