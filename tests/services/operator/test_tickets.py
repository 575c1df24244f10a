"""Tickets: numbering, SLA by priority, status history."""

import pytest

from tests.services.operator.conftest import AUTH


async def create(client, **body):
    response = await client.post("/v1/tickets", json={"phone": "13800138000", **body}, headers=AUTH)
    return response.status, await response.json()


async def test_seeded_fault_ticket(client):
    response = await client.get("/v1/tickets/T20261120001", headers=AUTH)
    body = await response.json()
    assert (body["kind"], body["category"], body["status"]) == ("故障报修", "断网", "处理中")
    assert [event["status"] for event in body["history"]] == ["待处理", "处理中"]


@pytest.mark.parametrize(
    "kind, category, priority, sla_due",
    [
        ("故障报修", "断网", "urgent", "2026-11-22T11:00:00+08:00"),  # no service at all: at once
        ("故障报修", "网速慢", "routine", "2026-11-23T10:00:00+08:00"),  # degraded: 24 h
        ("投诉", "乱扣费", "complex", "2026-11-25T10:00:00+08:00"),  # billing dispute: 72 h
        ("投诉", "服务态度", "routine", "2026-11-23T10:00:00+08:00"),
    ],
)
async def test_priority_and_sla_follow_the_triage_rule(client, kind, category, priority, sla_due):
    status, body = await create(client, kind=kind, category=category, description="描述", address=None)
    assert status == 201
    assert (body["id"], body["priority"], body["sla_due"], body["status"]) == (
        "T20261122001",
        priority,
        sla_due,
        "待处理",
    )
    assert body["history"] == [{"at": "2026-11-22T10:00:00+08:00", "status": "待处理", "note": "工单已创建"}]


async def test_numbers_increase_within_a_day_and_list_newest_first(client, clock):
    await create(client, kind="故障报修", category="网速慢", description="晚上网速很慢")
    clock.advance(minutes=5)
    status, second = await create(client, kind="投诉", category="服务态度", description="营业厅态度差")
    assert second["id"] == "T20261122002"
    response = await client.get("/v1/lines/13800138000/tickets", headers=AUTH)
    ids = [ticket["id"] for ticket in (await response.json())["tickets"]]
    assert ids == ["T20261122002", "T20261122001", "T20261120001"]


async def test_status_changes_are_recorded(client, clock):
    clock.advance(hours=1)
    response = await client.post(
        "/v1/tickets/T20261120001/status", json={"status": "已解决", "note": "更换光猫后恢复"}, headers=AUTH
    )
    body = await response.json()
    assert body["status"] == "已解决"
    assert body["history"][-1] == {"at": "2026-11-22T11:00:00+08:00", "status": "已解决", "note": "更换光猫后恢复"}


@pytest.mark.parametrize(
    "body, status",
    [
        ({"kind": "咨询", "category": "x", "description": "x"}, 400),  # unknown kind
        ({"kind": "投诉", "category": "", "description": "x"}, 400),  # empty category
        ({"kind": "投诉", "category": "x", "description": "x" * 2001}, 400),  # too long
        ({"kind": "投诉", "category": "x", "description": "x", "priority": "asap"}, 400),
        ({"kind": "投诉", "category": "x", "description": "x", "phone": "13700137000"}, 404),
    ],
)
async def test_bad_tickets(client, body, status):
    got, _ = await create(client, **body)
    assert got == status


async def test_unknown_ticket_is_404(client):
    response = await client.get("/v1/tickets/T20990101001", headers=AUTH)
    assert response.status == 404
