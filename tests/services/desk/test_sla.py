"""What the console's SLA timers count from: each case's latest customer message and latest answer."""

from tests.services.desk.test_console import CASE, online, open_case


async def test_the_timers_start_at_the_customer_s_message_and_stop_at_the_answer(client, clock):
    agent, socket = await online(client, "1001")
    transcript = [
        {"role": "customer", "text": "查话费", "at": "2026-11-22T01:58:00+00:00"},
        {"role": "bot", "text": "您的余额为 58.30 元。", "at": "2026-11-22T01:58:30+00:00"},
        {"role": "customer", "text": "转人工", "at": "2026-11-22T01:59:00+00:00"},
    ]
    _, opened = await open_case(client, transcript=transcript)
    [queued] = (await (await agent.get("/api/cases")).json())["queued"]
    assert (queued["created_at"], queued["last_customer_at"], queued["last_answer_at"]) == (
        "2026-11-22T10:00:00+08:00",
        "2026-11-22T09:59:00+08:00",
        "2026-11-22T09:58:30+08:00",
    )
    case_id = opened["case"]["id"]
    assert (await agent.post(f"/api/cases/{case_id}/take")).status == 200
    clock.advance(minutes=2)
    assert (await agent.post(f"/api/cases/{case_id}/reply", json={"text": "您好"})).status == 201
    [mine] = (await (await agent.get("/api/cases")).json())["mine"]
    assert (mine["last_customer_at"], mine["last_answer_at"]) == (
        "2026-11-22T09:59:00+08:00",
        "2026-11-22T10:02:00+08:00",
    )
    await socket.close()
    await agent.close()


async def test_a_case_without_messages_has_no_timer_start(client):
    agent, socket = await online(client, "1001")
    await open_case(client, transcript=[])
    [queued] = (await (await agent.get("/api/cases")).json())["queued"]
    assert (queued["last_customer_at"], queued["last_answer_at"]) == (None, None)
    assert CASE["transcript"]  # the other tests' case has messages
    await socket.close()
    await agent.close()
