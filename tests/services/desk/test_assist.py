"""Agent assist: a verified customer's balance or bill question gets the bot's answer, computed from
the backend, ready to insert; not a redirect to the bot."""

from typing import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.desk import agents, assist
from bot.services.desk.app import create_app
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.settings import HandoffSettings
from tests.services.desk.conftest import DELIVERY_TOKEN, SERVICE, TOKEN
from tests.services.desk.test_console import CASE, online

BALANCE = {
    "phone": "13800138000",
    "balance_fen": 5830,
    "in_arrears": False,
    "arrears_fen": 0,
    "data_mb": {"total": 30720, "used": 17920, "left": 12800},
    "voice_min": {"total": 500, "used": 200, "left": 300},
}
BILLS = [
    {"bill_type": "话费", "month": "2026-10", "amount_fen": 9800, "outstanding_fen": 0},
    {"bill_type": "话费", "month": "2026-11", "amount_fen": 12800, "outstanding_fen": 12800},
    {"bill_type": "宽带", "month": "2026-11", "amount_fen": 10000, "outstanding_fen": 0},
]


def test_the_balance_answer_says_money_data_and_minutes():
    assert assist.balance_answer(BALANCE) == (
        "您的话费余额为 58.30 元；本月流量剩余 12.5 GB（共 30 GB），通话剩余 300 分钟（共 500 分钟）。"
    )
    owing = {**BALANCE, "in_arrears": True, "arrears_fen": 1250, "data_mb": {"total": 0}, "voice_min": {"total": 0}}
    assert assist.balance_answer(owing) == "您目前欠费 12.50 元，请及时缴费以免停机。"


def test_the_bill_answer_gives_the_latest_month_of_each_type_asked():
    assert (
        assist.bill_answer(BILLS)
        == "2026年11月话费账单 128.00 元，未缴（待缴 128.00 元）；2026年11月宽带账单 100.00 元，已缴清。"
    )
    assert assist.bill_answer(BILLS, "宽带") == "2026年11月宽带账单 100.00 元，已缴清。"
    assert assist.bill_answer([], None) is None
    assert assist.bill_type_of({"entities": [{"entity": "bill_type", "value": "宽带"}]}) == "宽带"


def test_the_package_answer_lists_what_the_line_has_with_its_terms():
    subscriptions = [
        {"kind": "main", "name": "畅享129元套餐", "monthly_fee_fen": 12900, "in_contract": True,
         "contract_end": "2027-06-30", "status": "active"},
        {"kind": "addon", "name": "视频定向流量包", "monthly_fee_fen": 2000, "in_contract": False,
         "contract_end": None, "status": "cancel_pending", "cancel_effective": "2026-12-01"},
    ]  # fmt: skip
    assert assist.package_answer(subscriptions) == (
        "您目前的业务：主套餐 畅享129元套餐（129.00 元/月，合约至 2027-06-30）；"
        "附加业务 视频定向流量包（20.00 元/月，已申请退订，2026-12-01 生效）。"
    )
    assert assist.package_answer([]) is None


@pytest.fixture
async def backend() -> AsyncIterator[dict]:
    state = {"down": False, "asked": []}

    async def balance(request: web.Request) -> web.Response:
        state["asked"].append(request.match_info["phone"])
        if state["down"]:
            return web.json_response({"error": "down"}, status=503)
        return web.json_response(BALANCE)

    async def tickets(request: web.Request) -> web.Response:
        ticket = {
            "id": "T20261120001",
            "phone": request.match_info["phone"],
            "kind": "故障报修",
            "category": "断网",
            "description": "家里宽带断了",
            "status": "处理中",
            "created_at": "2026-11-20T09:00:00+08:00",
            "sla_due": "2026-11-20T10:00:00+08:00",
        }
        return web.json_response({"tickets": [ticket]})

    app = web.Application()
    app.router.add_get("/v1/lines/{phone}/balance", balance)
    app.router.add_get("/v1/lines/{phone}/tickets", tickets)
    async with TestServer(app) as server:
        state["url"] = str(server.make_url("")).rstrip("/")
        yield state


@pytest.fixture
async def desk(database_url, fake_rasa, clock, backend) -> AsyncIterator[TestClient]:
    settings = HandoffSettings(
        database_url=database_url,
        service_token=TOKEN,
        rasa_url=fake_rasa.url,
        rasa_token=DELIVERY_TOKEN,
        operator_url=backend["url"],
        operator_token="operator-test-token-0123456789",
    )
    app = create_app(settings, clock=clock, retry=False)
    async with TestClient(TestServer(app)) as client:
        await agents.create_agent(app[SERVICE_KEY].db, username="1001", name="王芳", password="password-1001")
        yield client


async def open_verified(desk, **override):
    response = await desk.post("/v1/cases", json={**CASE, "verified_phone": "13800138000", **override}, headers=SERVICE)
    assert response.status == 201, await response.text()
    return (await response.json())["case"]


async def test_a_verified_customer_s_balance_question_gets_the_real_answer(desk, backend):
    agent, socket = await online(desk, "1001")
    case = await open_verified(desk)
    assert "verified_phone" not in case and case["masked_phone"] == "138****8000"  # never on a console
    detail = await (await agent.get(f"/api/cases/{case['id']}")).json()
    assert detail["suggestion"] == {
        "label": "机器人答案：查询余额（实时数据）",
        "text": "您的话费余额为 58.30 元；本月流量剩余 12.5 GB（共 30 GB），通话剩余 300 分钟（共 500 分钟）。",
    }
    assert backend["asked"] == ["13800138000"]
    assert "13800138000" not in str(detail)
    backend["down"] = True
    detail = await (await agent.get(f"/api/cases/{case['id']}")).json()
    assert detail["suggestion"] == {"label": "查询余额：业务系统暂时无法查询", "text": ""}
    await socket.close()
    await agent.close()


async def test_an_unverified_customer_gets_no_backend_answer(desk, backend):
    agent, socket = await online(desk, "1001")
    response = await desk.post("/v1/cases", json={**CASE, "verified": False}, headers=SERVICE)
    case = (await response.json())["case"]
    detail = await (await agent.get(f"/api/cases/{case['id']}")).json()
    assert detail["suggestion"]["label"] == "下一步：查询余额"
    assert backend["asked"] == []
    bad = await desk.post("/v1/cases", json={**CASE, "sender_id": "x", "verified_phone": "138"}, headers=SERVICE)
    assert (bad.status, (await bad.json())["field"]) == (400, "verified_phone")
    await socket.close()
    await agent.close()


async def test_a_verified_customer_s_tickets_and_earlier_cases_are_found_by_number(desk, backend):
    agent, socket = await online(desk, "1001")
    earlier = await open_verified(desk, sender_id="wechat-openid-1", channel="wechat")
    assert (await agent.post(f"/api/cases/{earlier['id']}/take")).status == 200
    assert (await agent.post(f"/api/cases/{earlier['id']}/close", json={"note": "已报修"})).status == 200
    case = await open_verified(desk, sender_id="web-77")  # the same number, on the web widget
    detail = await (await agent.get(f"/api/cases/{case['id']}")).json()
    assert [(c["id"], c["channel"], c["note"]) for c in detail["earlier"]] == [(earlier["id"], "wechat", "已报修")]
    assert detail["customer_tickets"] == [
        {
            "id": "T20261120001",
            "kind": "故障报修",
            "category": "断网",
            "status": "处理中",
            "created_at": "2026-11-20T09:00:00+08:00",
            "sla_due": "2026-11-20T10:00:00+08:00",
        }
    ]
    unverified = await desk.post("/v1/cases", json={**CASE, "sender_id": "web-78", "verified": False}, headers=SERVICE)
    other = (await unverified.json())["case"]
    detail = await (await agent.get(f"/api/cases/{other['id']}")).json()
    assert (detail["customer_tickets"], detail["earlier"]) == (None, [])
    await socket.close()
    await agent.close()
