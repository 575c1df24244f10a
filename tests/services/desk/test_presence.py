"""Agent status (在线 / 忙碌 / 离开), the maximum of cases, and the desk assigning cases itself."""

import asyncio

from bot.services.desk.routes import SERVICE_KEY
from tests.services.desk.conftest import SERVICE, sign_in
from tests.services.desk.test_console import CASE, online


async def case_for(client, sender_id):
    response = await client.post("/v1/cases", json={**CASE, "sender_id": sender_id}, headers=SERVICE)
    return (await response.json())["case"]["id"]


async def settle(service_app):
    """Let the assignment a new case started in the background finish."""
    service = service_app[SERVICE_KEY]
    for _ in range(100):
        if not service._tasks:
            return
        await asyncio.sleep(0.01)


async def mine(session):
    return [c["id"] for c in (await (await session.get("/api/cases")).json())["mine"]]


async def test_auto_assign_keeps_each_agent_within_their_maximum(client, service_app):
    supervisor = await sign_in(client, "2001")
    wang, wang_socket = await online(client, "1001")
    li, li_socket = await online(client, "1002")
    agents = {a["username"]: a for a in (await (await supervisor.get("/api/agents")).json())["agents"]}
    for username in ("1001", "1002"):
        changed = await supervisor.put(f"/api/agents/{agents[username]['id']}", json={"max_cases": 1})
        assert (await changed.json())["max_cases"] == 1
    desk = await (await supervisor.put("/api/desk", json={"assign_mode": "auto"})).json()
    assert desk["assign_mode"] == "auto"
    first, second, third = [await case_for(client, f"web-{n}") for n in (1, 2, 3)]
    await settle(service_app)
    assert (await mine(wang), await mine(li)) == ([first], [second])  # one each, in turn
    listing = await (await wang.get("/api/cases")).json()
    assert [c["id"] for c in listing["queued"]] == [third]  # nobody has room for the third
    roster = {a["username"]: a for a in (await (await supervisor.get("/api/agents")).json())["agents"]}
    assert [(roster[u]["online"], roster[u]["load"], roster[u]["max_cases"]) for u in ("1001", "1002", "2001")] == [
        (True, 1, 1),
        (True, 1, 1),
        (False, 0, 3),
    ]
    # Wang finishes a case: the third is his.
    await wang.post(f"/api/cases/{first}/close", json={"note": "已处理"})
    await settle(service_app)
    assert await mine(wang) == [third]
    for session in (supervisor, wang, li):
        await session.close()
    for socket in (wang_socket, li_socket):
        await socket.close()


async def test_a_busy_agent_gets_no_new_case_and_away_is_not_on_duty(client, service_app):
    supervisor = await sign_in(client, "2001")
    await supervisor.put("/api/desk", json={"assign_mode": "auto"})
    wang, socket = await online(client, "1001")
    busy = await wang.post("/api/me/status", json={"status": "busy"})
    assert (await busy.json())["status"] == "busy"
    waiting = await case_for(client, "web-9")
    await settle(service_app)
    assert await mine(wang) == []  # 忙碌: the case waits in the queue, and Wang can still take it himself
    await wang.post("/api/me/status", json={"status": "online"})
    assert await mine(wang) == [waiting]
    await wang.post("/api/me/status", json={"status": "away"})
    # 离开: no one on duty, so a new customer is offered a callback instead of the queue.
    response = await client.post("/v1/cases", json={**CASE, "sender_id": "web-10"}, headers=SERVICE)
    assert await response.json() == {"status": "unavailable", "why": "no_agent"}
    bad = await wang.post("/api/me/status", json={"status": "asleep"})
    assert (bad.status, (await bad.json())["field"]) == (400, "status")
    await socket.close()
    await wang.close()
    await supervisor.close()


async def test_only_a_supervisor_changes_the_desk_and_the_maximums(client):
    agent = await sign_in(client, "1001")
    supervisor = await sign_in(client, "2001")
    assert (await agent.put("/api/desk", json={"assign_mode": "auto"})).status == 403
    assert (await agent.get("/api/agents")).status == 403
    assert (await agent.put("/api/agents/1", json={"max_cases": 9})).status == 403
    for body in ({"max_cases": 0}, {"max_cases": 21}, {"max_cases": "2"}, {"max_cases": True}):
        response = await supervisor.put("/api/agents/1", json=body)
        assert (response.status, (await response.json())["field"]) == (400, "max_cases"), body
    assert (await supervisor.put("/api/agents/999", json={"max_cases": 2})).status == 404
    response = await supervisor.put("/api/desk", json={"assign_mode": "random"})
    assert (response.status, (await response.json())["field"]) == (400, "assign_mode")
    listing = await (await agent.get("/api/cases")).json()
    assert (listing["desk"]["assign_mode"], listing["me"]["status"]) == ("manual", "online")
    for session in (agent, supervisor):
        await session.close()
