"""The queue timeout: a case nobody takes within HANDOFF_QUEUE_TIMEOUT_MINUTES is closed as
abandoned, the bot resumes offering a callback, and a callback then converts the case."""

from bot.services.desk import cases
from bot.services.desk.routes import SERVICE_KEY
from tests.services.desk.conftest import SERVICE
from tests.services.desk.test_console import online, open_case


async def test_a_case_nobody_takes_is_abandoned_and_the_bot_resumes_once(client, fake_rasa, service_app, clock):
    service = service_app[SERVICE_KEY]
    agent, socket = await online(client, "1001")
    _, first = await open_case(client, sender_id="web-1")
    clock.advance(minutes=3)
    _, second = await open_case(client, sender_id="web-2")
    _, third = await open_case(client, sender_id="web-3")
    assert (await agent.post(f"/api/cases/{third['case']['id']}/take")).status == 200
    clock.advance(minutes=2, seconds=1)  # the first has waited 5 min 1 s, the second 2 min 1 s
    fake_rasa.push = True
    await service.retry_pending()
    assert (await cases.summary(service.db, first["case"]["id"]))["status"] == "abandoned"
    assert (await cases.summary(service.db, second["case"]["id"]))["status"] == "queued"
    assert (await cases.summary(service.db, third["case"]["id"]))["status"] == "taken"
    timeouts = [d for d in fake_rasa.deliveries if d["event"] == "timeout"]
    assert timeouts == [
        {
            "event": "timeout",
            "sender_id": "web-1",
            "channel": "rest",
            "delivery_id": f"case-{first['case']['id']}-timeout",
        }
    ]
    await service.retry_pending()  # delivered once
    assert len([d for d in fake_rasa.deliveries if d["event"] == "timeout"]) == 1
    # Too late to take it; the queue the agents see no longer holds it.
    late = await agent.post(f"/api/cases/{first['case']['id']}/take")
    assert (late.status, (await late.json())["error"]) == (409, "already_taken")
    queue = await (await agent.get("/api/cases")).json()
    assert [case["id"] for case in queue["queued"]] == [second["case"]["id"]]
    await socket.close()
    await agent.close()


async def test_a_callback_after_the_timeout_converts_the_case(client, fake_rasa, service_app, clock):
    service = service_app[SERVICE_KEY]
    agent, socket = await online(client, "1001")
    _, opened = await open_case(client, sender_id="web-9")
    clock.advance(minutes=6)
    await service.time_out_waiting()
    response = await client.post(
        "/v1/cases/callback", json={"sender_id": "web-9", "ticket_id": "T20261122001"}, headers=SERVICE
    )
    assert response.status == 200
    case = (await response.json())["case"]
    assert (case["id"], case["status"], case["note"]) == (
        opened["case"]["id"],
        "callback",
        "排队超时，已转回电工单 T20261122001",
    )
    # Once only; a customer with no timed-out case has nothing to convert.
    again = await client.post("/v1/cases/callback", json={"sender_id": "web-9", "ticket_id": "T2"}, headers=SERVICE)
    assert (await again.json()) == {"case": None}
    bad = await client.post("/v1/cases/callback", json={"ticket_id": "T2"}, headers=SERVICE)
    assert bad.status == 400
    await socket.close()
    await agent.close()


async def test_a_timed_out_case_long_ago_is_not_converted(client, service_app, clock):
    service = service_app[SERVICE_KEY]
    agent, socket = await online(client, "1001")
    await open_case(client, sender_id="web-7")
    clock.advance(minutes=6)
    await service.time_out_waiting()
    clock.advance(hours=2)
    response = await client.post("/v1/cases/callback", json={"sender_id": "web-7", "ticket_id": None}, headers=SERVICE)
    assert (await response.json()) == {"case": None}
    await socket.close()
    await agent.close()
