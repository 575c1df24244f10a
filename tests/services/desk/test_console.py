"""The handoff service: cases from the bot, the agents' console API, delivery to Rasa."""

import asyncio

from bot.services.desk import cases
from bot.services.desk.routes import SERVICE_KEY
from tests.services.desk.conftest import SERVICE, browser, sign_in

CASE = {
    "sender_id": "web-42",
    "channel": "rest",
    "masked_phone": "138****8000",
    "verified": True,
    "reason": "requested",
    "context": {"slots": {"customer_name": "张伟"}, "intents": []},
    "transcript": [
        {"role": "customer", "text": "查一下话费", "intent": "check_balance", "confidence": 0.97},
        {"role": "bot", "text": "您的话费余额为 58.30 元。"},
        {"role": "customer", "text": "转人工", "intent": "request_human", "confidence": 0.99},
    ],
}


async def open_case(client, **override):
    response = await client.post("/v1/cases", json={**CASE, **override}, headers=SERVICE)
    return response.status, await response.json()


async def online(client, username):
    """A signed-in agent with the console open (a live WebSocket): agents are then available."""
    session = await sign_in(client, username)
    socket = await session.ws_connect("/ws")
    first = await socket.receive_json()
    assert first["type"] == "queue"
    return session, socket


async def test_without_an_agent_online_the_customer_is_offered_a_callback(client):
    assert await open_case(client) == (200, {"status": "unavailable", "why": "no_agent"})


async def test_outside_service_hours_the_customer_is_offered_a_callback(client, clock):
    session, socket = await online(client, "1001")
    desk = (await (await session.get("/api/cases")).json())["desk"]
    sla = {"queue": [120, 240], "reply": [60, 180], "queue_timeout": 300}
    assert desk == {"open": True, "why": None, "service_hours": "08:00-22:00", "assign_mode": "manual", "sla": sla}
    clock.advance(hours=13)  # 23:00 China time
    assert await open_case(client) == (200, {"status": "unavailable", "why": "closed"})
    # The console says so (its banner): customers are being offered callbacks, not the queue.
    later = await sign_in(client, "1002")  # the morning's session has expired (12 hours)
    desk = (await (await later.get("/api/cases")).json())["desk"]
    assert desk == {"open": False, "why": "closed", "service_hours": "08:00-22:00", "assign_mode": "manual", "sla": sla}
    await socket.close()
    for agent in (session, later):
        await agent.close()


async def test_a_case_is_queued_with_position_and_wait_and_shown_live(client):
    session, socket = await online(client, "1001")
    status, body = await open_case(client)
    assert status == 201
    assert (body["status"], body["position"], body["wait_minutes"]) == ("queued", 1, 4)
    assert body["case"]["reason_text"] == "客户要求转人工" and body["case"]["priority"] == 3
    update = await socket.receive_json()
    assert update["type"] == "queue" and [c["id"] for c in update["queued"]] == [body["case"]["id"]]
    # A lock-out jumps the queue.
    _, urgent = await open_case(client, sender_id="web-43", reason="identity_locked")
    assert urgent["position"] == 1
    _, again = await open_case(client)  # the same customer again: the same case
    assert again["case"]["id"] == body["case"]["id"]
    listing = await (await session.get("/api/cases")).json()
    assert [c["sender_id"] for c in listing["queued"]] == ["web-43", "web-42"]
    await socket.close()
    await session.close()


async def test_two_agents_take_the_same_case_one_wins(client):
    first, first_socket = await online(client, "1001")
    second = await sign_in(client, "1002")
    _, body = await open_case(client)
    case_id = body["case"]["id"]
    answers = await asyncio.gather(first.post(f"/api/cases/{case_id}/take"), second.post(f"/api/cases/{case_id}/take"))
    assert sorted(answer.status for answer in answers) == [200, 409]
    loser = next(answer for answer in answers if answer.status == 409)
    assert (await loser.json())["error"] == "already_taken"
    for session in (first, second):
        await session.close()
    await first_socket.close()


async def test_the_agent_reads_the_context_replies_and_hands_back(client, fake_rasa):
    agent, socket = await online(client, "1001")
    _, body = await open_case(client)
    case_id = body["case"]["id"]
    assert (await agent.post(f"/api/cases/{case_id}/take")).status == 200
    # The customer is told who took the case (客服 王芳 已接入: utter_handoff_taken on the Rasa side).
    assert fake_rasa.deliveries == [
        {
            "event": "taken",
            "sender_id": "web-42",
            "channel": "rest",
            "agent_name": "王芳",
            "delivery_id": f"case-{case_id}-taken",
        }
    ]
    # The customer writes; the agent sees it live with a suggestion for it; the channel learns who answers.
    relayed = await client.post(
        "/v1/relay",
        json={"sender_id": "web-42", "text": "营业厅几点关门", "intent": "faq", "confidence": 0.99},
        headers=SERVICE,
    )
    assert await relayed.json() == {"relayed": True, "case_id": case_id, "status": "taken", "agent_name": "王芳"}
    events = [await socket.receive_json() for _ in range(3)]
    message = next(e for e in events if e["type"] == "message")["message"]
    assert (message["role"], message["text"]) == ("customer", "营业厅几点关门")
    case = await (await agent.get(f"/api/cases/{case_id}")).json()
    assert [(m["role"], m["text"]) for m in case["transcript"]] == [
        ("customer", "查一下话费"),
        ("bot", "您的话费余额为 58.30 元。"),
        ("customer", "转人工"),
        ("system", "王芳 已接入会话"),
        ("customer", "营业厅几点关门"),
    ]
    assert case["context"]["slots"] == {"customer_name": "张伟"}
    assert case["suggestion"] == {"label": "FAQ：opening_hours", "text": "营业厅一般9点到18点营业。"}
    # The reply is delivered to Rasa; REST customers collect it with their next message.
    reply = await agent.post(f"/api/cases/{case_id}/reply", json={"text": "您好，我是客服王芳。"})
    assert reply.status == 201
    assert fake_rasa.deliveries[-1] == {
        "event": "message",
        "sender_id": "web-42",
        "channel": "rest",
        "text": "您好，我是客服王芳。",
        "agent_name": "王芳",
        "message_id": (await reply.json())["message"]["id"],
        "delivery_id": f"agent-message-{(await reply.json())['message']['id']}",
    }
    outbox = await (await client.get("/v1/outbox/web-42", headers=SERVICE)).json()
    assert outbox == {"messages": [{"text": "<taken>"}, {"text": "您好，我是客服王芳。"}]}
    assert await (await client.get("/v1/outbox/web-42", headers=SERVICE)).json() == {"messages": []}
    handed = await agent.post(f"/api/cases/{case_id}/handback")
    assert (await handed.json())["status"] == "handed_back"
    assert fake_rasa.deliveries[-1] == {
        "event": "handback",
        "sender_id": "web-42",
        "channel": "rest",
        "delivery_id": f"case-{case_id}-handback",
    }
    # The case is over: the customer's messages go to the bot again.
    relayed = await client.post("/v1/relay", json={"sender_id": "web-42", "text": "谢谢"}, headers=SERVICE)
    assert (await relayed.json())["relayed"] is False
    await socket.close()
    await agent.close()


async def test_undelivered_replies_and_handbacks_are_retried(client, fake_rasa, service_app):
    from bot.services.desk.routes import SERVICE_KEY

    agent, socket = await online(client, "1001")
    _, body = await open_case(client)
    case_id = body["case"]["id"]
    fake_rasa.fail = True
    assert (await agent.post(f"/api/cases/{case_id}/take")).status == 200  # taken, even with Rasa down
    assert (await agent.post(f"/api/cases/{case_id}/reply", json={"text": "稍等，我查一下"})).status == 201
    assert (await agent.post(f"/api/cases/{case_id}/close", json={"note": "已解决"})).status == 200
    assert fake_rasa.deliveries == []
    fake_rasa.fail, fake_rasa.push = False, True
    await service_app[SERVICE_KEY].retry_pending()
    assert [d["event"] for d in fake_rasa.deliveries] == ["taken", "message", "close"]
    await service_app[SERVICE_KEY].retry_pending()  # nothing twice
    assert len(fake_rasa.deliveries) == 3
    await socket.close()
    await agent.close()


async def test_a_hand_back_under_way_is_not_delivered_again_by_the_retry_loop(client, fake_rasa, service_app):
    service = service_app[SERVICE_KEY]
    agent, socket = await online(client, "1001")
    _, body = await open_case(client)
    case_id = body["case"]["id"]
    await agent.post(f"/api/cases/{case_id}/take")
    fake_rasa.gate = asyncio.Event()  # Rasa is slow to answer the hand-back
    handing_back = asyncio.create_task(agent.post(f"/api/cases/{case_id}/handback"))
    while not fake_rasa.waiting:
        await asyncio.sleep(0.01)
    listed = await cases.unresumed(service.db)  # what the retry loop lists meanwhile
    await service.retry_pending()  # passes over the delivery under way
    fake_rasa.gate.set()
    assert (await (await handing_back).json())["status"] == "handed_back"
    for case in listed:  # a loop that listed the case before it was delivered: nothing twice
        await service._deliver_end(case)
    await service.retry_pending()
    assert [d["event"] for d in fake_rasa.deliveries] == ["taken", "handback"]
    outbox = await (await client.get("/v1/outbox/web-42", headers=SERVICE)).json()
    assert outbox == {"messages": [{"text": "<taken>"}, {"text": "<handback>"}]}
    await socket.close()
    await agent.close()


async def test_only_the_holder_replies_and_input_is_checked(client):
    first, socket = await online(client, "1001")
    second = await sign_in(client, "1002")
    _, body = await open_case(client)
    case_id = body["case"]["id"]
    await first.post(f"/api/cases/{case_id}/take")
    assert (await second.post(f"/api/cases/{case_id}/reply", json={"text": "你好"})).status == 409
    assert (await first.post(f"/api/cases/{case_id}/reply", json={"text": " "})).status == 400
    assert (await first.post(f"/api/cases/{case_id}/reply", json={"text": "x" * 1001})).status == 400
    assert (await first.post("/api/cases/999/take")).status == 404
    assert (await client.post("/v1/cases", json={**CASE, "reason": "bored"}, headers=SERVICE)).status == 400
    for session in (first, second):
        await session.close()
    await socket.close()


async def test_sign_in_is_required_and_wrong_passwords_are_refused(client):
    assert (await client.get("/api/cases")).status == 401
    assert (await client.post("/v1/cases", json=CASE)).status == 401
    page = await client.get("/", allow_redirects=False)
    assert (page.status, page.headers["Location"]) == (302, "/login")
    wrong = await client.post("/api/login", json={"username": "1001", "password": "nope-nope"}, headers=browser(client))
    assert (wrong.status, (await wrong.json())["error"]) == (401, "bad_credentials")
    unknown = await client.post(
        "/api/login", json={"username": "9999", "password": "password-9999"}, headers=browser(client)
    )
    assert unknown.status == 401
    agent = await sign_in(client, "1001")
    assert (await (await agent.get("/api/me")).json())["name"] == "王芳"
    assert (await agent.get("/")).status == 200
    await agent.post("/api/logout")
    assert (await agent.get("/api/me")).status == 401
    await agent.close()


async def test_a_restart_of_the_service_loses_no_case_and_no_message(client, service_app, fake_rasa, clock):
    from aiohttp.test_utils import TestClient, TestServer

    from bot.services.desk.app import create_app

    agent, socket = await online(client, "1001")
    _, body = await open_case(client)
    case_id = body["case"]["id"]
    await agent.post(f"/api/cases/{case_id}/take")
    fake_rasa.fail = True
    await agent.post(f"/api/cases/{case_id}/reply", json={"text": "请稍等"})
    await socket.close()
    await agent.close()
    settings = service_app[SERVICE_KEY].settings
    await client.close()  # the service stops
    fake_rasa.fail = False
    restarted = create_app(settings, clock=clock, retry=False)
    async with TestClient(TestServer(restarted)) as again:
        await restarted[SERVICE_KEY].retry_pending()  # what the background loop does every 3 s
        assert [(d["event"], d.get("text")) for d in fake_rasa.deliveries] == [("taken", None), ("message", "请稍等")]
        agent = await sign_in(again, "1001")
        case = await (await agent.get(f"/api/cases/{case_id}")).json()
        assert (case["status"], [m["text"] for m in case["transcript"]][-1]) == ("taken", "请稍等")
        await agent.close()


async def test_the_bots_transcript_keeps_when_each_message_was_said(client):
    agent, socket = await online(client, "1001")
    said = [
        {"role": "customer", "text": "查话费", "at": "2026-11-22T01:55:00+00:00"},
        {"role": "bot", "text": "余额 58.30 元", "at": "2026-11-22T09:56:00+08:00"},
        {"role": "customer", "text": "转人工", "at": "2099-01-01T00:00:00+00:00"},  # a fast clock: not after the case
        {"role": "customer", "text": "喂", "at": "yesterday"},
        {"role": "customer", "text": "在吗", "at": "2026-11-22T01:59:00"},  # no zone: not trusted
    ]
    _, body = await open_case(client, transcript=said)
    case = await (await agent.get(f"/api/cases/{body['case']['id']}")).json()
    assert [m["at"] for m in case["transcript"]] == [
        "2026-11-22T09:55:00+08:00",
        "2026-11-22T09:56:00+08:00",
        "2026-11-22T10:00:00+08:00",
        "2026-11-22T10:00:00+08:00",
        "2026-11-22T10:00:00+08:00",
    ]
    await socket.close()
    await agent.close()


async def test_ended_cases_stay_in_the_agents_history_and_beside_the_next_case(client, clock):
    agent, socket = await online(client, "1001")
    other = await sign_in(client, "1002")
    _, first = await open_case(client)
    first_id = first["case"]["id"]
    await agent.post(f"/api/cases/{first_id}/take")
    await agent.post(f"/api/cases/{first_id}/close", json={"note": "已解释流量扣费"})
    _, someone_else = await open_case(client, sender_id="web-77")
    await agent.post(f"/api/cases/{someone_else['case']['id']}/take")
    await agent.post(f"/api/cases/{someone_else['case']['id']}/handback")
    history = await (await agent.get("/api/history")).json()
    assert [(c["id"], c["status"], c["note"]) for c in history["cases"]] == [
        (someone_else["case"]["id"], "handed_back", None),
        (first_id, "closed", "已解释流量扣费"),
    ]
    assert history["cases"][1]["ended_at"] == "2026-11-22T10:00:00+08:00"
    assert await (await other.get("/api/history")).json() == {"cases": []}  # each agent's own
    # The same customer comes back: the new case shows the earlier one with its note.
    _, again = await open_case(client)
    case = await (await agent.get(f"/api/cases/{again['case']['id']}")).json()
    assert [(c["id"], c["status"], c["note"], c["agent_name"]) for c in case["earlier"]] == [
        (first_id, "closed", "已解释流量扣费", "王芳")
    ]
    for session in (agent, other):
        await session.close()
    await socket.close()


async def test_the_console_names_intents_and_slots_in_chinese(client):
    agent = await sign_in(client, "1001")
    labels = await (await agent.get("/api/labels")).json()
    assert (labels["intents"]["check_balance"], labels["slots"]["identity_locked"]) == ("查询余额", "验证已锁定")
    assert (await client.get("/api/labels")).status == 401
    await agent.close()
