"""Canned replies (快捷回复) through the console API: supervisors manage them, agents insert them filled."""

from bot.services.desk import canned
from bot.services.desk.routes import SERVICE_KEY
from tests.services.desk.conftest import SERVICE, sign_in
from tests.services.desk.test_console import CASE, online


async def test_a_supervisor_manages_the_replies_and_agents_only_read_them(client):
    supervisor = await sign_in(client, "2001")
    agent = await sign_in(client, "1001")
    assert (await (await supervisor.get("/api/me")).json())["role"] == "supervisor"
    reply = {"shortcut": "hi", "title": "开场问候", "text": "您好{姓名}，我是客服{坐席}。"}
    created = await supervisor.post("/api/canned", json=reply)
    assert created.status == 201
    made = await created.json()
    assert {key: made[key] for key in reply} == reply
    assert (await supervisor.post("/api/canned", json=reply)).status == 409  # one /hi
    assert (await agent.post("/api/canned", json={**reply, "shortcut": "hello"})).status == 403
    assert (await agent.delete(f"/api/canned/{made['id']}")).status == 403
    bad = await supervisor.post("/api/canned", json={**reply, "shortcut": "x y"})
    assert (bad.status, (await bad.json())["field"]) == (400, "shortcut")
    changed = await supervisor.put(f"/api/canned/{made['id']}", json={**reply, "text": "您好{姓名}！"})
    assert (await changed.json())["text"] == "您好{姓名}！"
    assert [r["shortcut"] for r in (await (await agent.get("/api/canned")).json())["replies"]] == ["hi"]
    assert (await supervisor.delete(f"/api/canned/{made['id']}")).status == 200
    assert (await supervisor.delete(f"/api/canned/{made['id']}")).status == 404
    assert (await supervisor.put("/api/canned/x", json=reply)).status == 400
    assert await (await agent.get("/api/canned")).json() == {"replies": []}
    for session in (supervisor, agent):
        await session.close()


async def test_in_a_case_the_replies_come_filled_with_its_values(client, service_app):
    await canned.seed_defaults(service_app[SERVICE_KEY].db)
    agent, socket = await online(client, "1001")
    verified = {**CASE, "context": {"slots": {"customer_name": "张伟"}, "intents": []}}
    case_id = (await (await client.post("/v1/cases", json=verified, headers=SERVICE)).json())["case"]["id"]
    await agent.post(f"/api/cases/{case_id}/take")
    replies = {r["shortcut"]: r for r in (await (await agent.get(f"/api/cases/{case_id}/canned")).json())["replies"]}
    assert sorted(replies) == ["bye", "hi", "line", "wait"]
    assert (replies["hi"]["filled"], replies["hi"]["missing"]) == (
        "您好张伟，我是客服王芳，很高兴为您服务，请问有什么可以帮您？",
        [],
    )
    assert replies["line"]["filled"] == "为您查询的是尾号8000的号码，请问对吗？"
    # An unverified customer: the name is not known, the agent completes it.
    other = {**verified, "sender_id": "web-77", "verified": False, "masked_phone": None}
    other_id = (await (await client.post("/v1/cases", json=other, headers=SERVICE)).json())["case"]["id"]
    hi = next(
        r for r in (await (await agent.get(f"/api/cases/{other_id}/canned")).json())["replies"] if r["shortcut"] == "hi"
    )
    assert (hi["filled"], hi["missing"]) == ("您好{姓名}，我是客服王芳，很高兴为您服务，请问有什么可以帮您？", ["姓名"])
    assert await canned.seed_defaults(service_app[SERVICE_KEY].db) == 0  # only on an empty table
    await socket.close()
    await agent.close()
