"""bot/services/desk/retention.py: the retention purge and one customer's export and erasure, over the
service API (SQLite and PostgreSQL)."""

import asyncio
import datetime as dt

from sqlalchemy import select

from bot.services.desk import cases, pending_tickets
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.tables import agent_sessions, case_messages, outbox
from bot.services.desk.tables import cases as cases_table
from bot.services.desk.tables import pending_tickets as pending_table
from tests.services.desk.conftest import SERVICE

TICKET = {"phone": "13800138000", "kind": "回访", "category": "回电", "description": "请回电", "address": None}


async def _case(db, sender_id, text="我要转人工"):
    return await cases.create(
        db,
        sender_id=sender_id,
        channel="socketio",
        masked_phone="138****8000",
        verified=True,
        reason="requested",
        context={"slots": {"phone_number": "138****8000"}},
        transcript=[{"role": "customer", "text": text}],
    )


async def _rows(db, table, *columns):
    async with db.read() as conn:
        return [tuple(row) for row in (await conn.execute(select(*columns).order_by(columns[0])))]


async def test_purge_deletes_only_what_was_last_touched_before_the_cutoff(client, service_app, clock):
    db = service_app[SERVICE_KEY].db
    old = await _case(db, "old")  # created 200 days ago, never touched since
    await cases.add_note(db, old["id"], 1, "客户要求周末回电")  # an agent's note goes with its case
    await _case(db, "stale-open")  # still queued after 200 days: abandoned, goes too
    revived = await _case(db, "revived")  # old, but a message came within the period
    old_pending = await pending_tickets.queue(db, "old", "socketio", TICKET)
    await pending_tickets.mark_notified(db, old_pending)
    waiting = await pending_tickets.queue(db, "old", "socketio", TICKET)  # never submitted: kept
    await cases.add_to_outbox(db, "old", [{"text": "旧消息"}])
    async with db.write() as conn:
        await conn.execute(
            agent_sessions.insert().values(token_hash="x" * 64, agent_id=1, expires_at=dt.datetime(2026, 1, 1))
        )
    clock.advance(days=200)
    await cases.add_message(db, revived["id"], "customer", "还在吗")
    recent = await _case(db, "recent")
    cutoff = clock() - dt.timedelta(days=180)

    response = await client.post("/v1/retention/purge", json={"before": cutoff.isoformat()}, headers=SERVICE)
    assert response.status == 200, await response.text()
    assert await response.json() == {
        "deleted": {"cases": 2, "case_messages": 2, "outbox": 1, "pending_tickets": 1, "agent_sessions": 1}
    }
    assert await _rows(db, cases_table, cases_table.c.id, cases_table.c.sender_id) == [
        (revived["id"], "revived"),
        (recent["id"], "recent"),
    ]
    assert [row[0] for row in await _rows(db, pending_table, pending_table.c.id)] == [waiting]
    assert await _rows(db, outbox, outbox.c.id) == []
    assert await cases.notes(db, old["id"]) == []

    again = await client.post("/v1/retention/purge", json={"before": cutoff.isoformat()}, headers=SERVICE)
    assert await again.json() == {
        "deleted": {"cases": 0, "case_messages": 0, "outbox": 0, "pending_tickets": 0, "agent_sessions": 0}
    }


async def test_purge_and_privacy_need_the_token_and_valid_input(client):
    assert (await client.post("/v1/retention/purge", json={"before": "2026-01-01T00:00:00+00:00"})).status == 401
    assert (await client.post("/v1/privacy/export", json={"phone": "13800138000", "sender_ids": []})).status == 401
    for path, body in [
        ("/v1/retention/purge", {"before": "yesterday"}),
        ("/v1/retention/purge", {"before": "2026-01-01T00:00:00"}),  # no offset
        ("/v1/retention/purge", [1]),
        ("/v1/privacy/export", {"phone": "1380013800", "sender_ids": []}),
        ("/v1/privacy/export", {"phone": "13800138000", "sender_ids": "c1"}),
        ("/v1/privacy/erase", {"phone": "13800138000", "sender_ids": [""]}),
        ("/v1/privacy/erase", {"phone": "13800138000", "sender_ids": ["c"] * 1001}),
    ]:
        response = await client.post(path, json=body, headers=SERVICE)
        assert response.status == 400, (path, body)
        assert (await response.json())["error"] == "invalid_input"


async def test_export_then_erase_one_customer(client, service_app):
    db = service_app[SERVICE_KEY].db
    mine = await _case(db, "web-1", "我要转人工 13800138000")
    await cases.take(db, mine["id"], 1)
    await cases.agent_reply(db, mine["id"], 1, "您好，我是王芳")
    others = await _case(db, "web-2")
    by_number = await pending_tickets.queue(db, "other-conversation", "rest", TICKET)
    other_ticket = await pending_tickets.queue(db, "web-2", "rest", {**TICKET, "phone": "13900139000"})
    await cases.add_to_outbox(db, "web-1", [{"text": "欢迎回来"}])
    body = {"phone": "13800138000", "sender_ids": ["web-1"]}

    exported = await (await client.post("/v1/privacy/export", json=body, headers=SERVICE)).json()
    assert [case["id"] for case in exported["cases"]] == [mine["id"]]
    assert exported["cases"][0]["context"] == {"slots": {"phone_number": "138****8000"}}
    assert [(m["role"], m["text"]) for m in exported["cases"][0]["transcript"]] == [
        ("customer", "我要转人工 13800138000"),
        ("system", "王芳 已接入会话"),
        ("agent", "您好，我是王芳"),
    ]
    assert [p["id"] for p in exported["pending_tickets"]] == [by_number]
    assert [o["message"] for o in exported["outbox"]] == [{"text": "欢迎回来"}]

    response = await client.post("/v1/privacy/erase", json=body, headers=SERVICE)
    assert response.status == 200
    assert await response.json() == {
        "anonymised": {"cases": [mine["id"]]},
        "deleted": {"case_messages": 3, "outbox": 1, "pending_tickets": 1},
    }
    erased = await cases.summary(db, mine["id"])
    assert (erased["sender_id"], erased["masked_phone"], erased["status"], erased["reason"]) == (
        "erased",
        None,
        "closed",
        "requested",
    )
    assert await cases.context(db, mine["id"]) == {}
    assert await cases.transcript(db, mine["id"]) == []
    assert await cases.unresumed(db) == []  # no hand-back goes to a deleted conversation
    assert (await cases.summary(db, others["id"]))["sender_id"] == "web-2"
    assert len(await cases.transcript(db, others["id"])) == 1
    assert [row[0] for row in await _rows(db, pending_table, pending_table.c.id)] == [other_ticket]
    assert await _rows(db, case_messages, case_messages.c.id) != []

    again = await client.post("/v1/privacy/erase", json=body, headers=SERVICE)
    assert await again.json() == {
        "anonymised": {"cases": []},
        "deleted": {"case_messages": 0, "outbox": 0, "pending_tickets": 0},
    }


async def test_a_case_handed_over_with_the_verified_number_is_exported_and_erased_with_its_notes(client, service_app):
    from bot.services.desk.tables import case_notes

    db = service_app[SERVICE_KEY].db
    case = await cases.create(
        db,
        sender_id="wechat-openid-9",  # a conversation the request does not name
        channel="wechat",
        masked_phone="138****8000",
        verified=True,
        reason="requested",
        context={},
        transcript=[{"role": "customer", "text": "转人工"}],
        verified_phone="13800138000",
    )
    await cases.take(db, case["id"], 1)
    await cases.add_note(db, case["id"], 1, "客户下午方便接电话")
    body = {"phone": "13800138000", "sender_ids": ["web-1"]}
    exported = await (await client.post("/v1/privacy/export", json=body, headers=SERVICE)).json()
    assert [(c["id"], [n["text"] for n in c["notes"]]) for c in exported["cases"]] == [
        (case["id"], ["客户下午方便接电话"])
    ]
    erased = await (await client.post("/v1/privacy/erase", json=body, headers=SERVICE)).json()
    assert erased["anonymised"] == {"cases": [case["id"]]}
    assert await cases.verified_phone(db, case["id"]) is None
    assert await _rows(db, case_notes, case_notes.c.id) == []


async def test_purges_at_the_same_time_delete_each_case_once(client, service_app, clock):
    db = service_app[SERVICE_KEY].db
    for index in range(20):
        await _case(db, f"old-{index}")
    clock.advance(days=200)
    cutoff = (clock() - dt.timedelta(days=180)).isoformat()
    responses = await asyncio.gather(
        *(client.post("/v1/retention/purge", json={"before": cutoff}, headers=SERVICE) for _ in range(5))
    )
    assert [response.status for response in responses] == [200] * 5
    answers = [await response.json() for response in responses]
    assert sum(answer["deleted"]["cases"] for answer in answers) == 20
    assert sum(answer["deleted"]["case_messages"] for answer in answers) == 20
