"""bot/services/operator/privacy.py: one customer's data exported whole, and erased except what the law keeps
(SQLite and PostgreSQL)."""

from sqlalchemy import select

from bot.services.operator.privacy import ERASED_PHONE, ERASED_TEXT, KEPT
from bot.services.operator.requests import DB_KEY
from bot.services.operator.tables import lines
from tests.services.operator.conftest import AUTH

PHONE = "13800138000"


async def _seeded_tickets(client, phone=PHONE):
    answer = await (await client.get(f"/v1/lines/{phone}/tickets", headers=AUTH)).json()
    return sorted(ticket["id"] for ticket in answer["tickets"])


async def _activity(client, phone=PHONE, openid="oAbCdEfGh01"):
    consent = await (
        await client.post(
            "/v1/consents",
            headers=AUTH,
            json={
                "phone": phone,
                "action": "payment",
                "shown_text": "为13800138000缴费50元",
                "subject": {"phone": phone, "bill_type": "话费", "amount_fen": 5000, "method": "微信"},
                "confirmed": True,
                "channel": "rest",
                "sender_id": "web-1",
            },
        )
    ).json()
    paid = await client.post(
        "/v1/payments",
        headers=AUTH,
        json={
            "idempotency_key": f"pay-{phone}-0001",
            "phone": phone,
            "bill_type": "话费",
            "amount_fen": 5000,
            "method": "微信",
            "consent_id": consent["id"],
        },
    )
    assert paid.status == 201, await paid.text()
    ticket = await (
        await client.post(
            "/v1/tickets",
            headers=AUTH,
            json={
                "phone": phone,
                "kind": "故障报修",
                "category": "断网",
                "description": "家里宽带断了，电话13800138000",
                "address": "南山区科技园1号",
            },
        )
    ).json()
    await client.put(f"/v1/wechat-bindings/{openid}", headers=AUTH, json={"phone": phone})
    await client.post(
        "/v1/satisfaction",
        headers=AUTH,
        json={"sender_id": "web-1", "channel": "rest", "task": "payment", "score": 5, "phone": phone},
    )
    return consent, ticket


async def test_export_gives_everything_about_the_number_and_no_password_hash(client):
    seeded = await _seeded_tickets(client)
    consent, ticket = await _activity(client)
    await _activity(client, "13900139000", "oOtherPerson1")
    response = await client.get(f"/v1/privacy/{PHONE}", headers=AUTH)
    assert response.status == 200
    held = await response.json()
    assert held["line"] == {
        "phone": PHONE,
        "customer_name": "张伟",
        "status": "active",
        "balance_fen": held["line"]["balance_fen"],
        "in_arrears": False,
        "arrears_fen": 0,
        "created_at": held["line"]["created_at"],
    }
    assert [c["id"] for c in held["consents"]] == [consent["id"]]
    assert [(p["phone"], p["amount_fen"], p["consent_id"]) for p in held["payments"]] == [(PHONE, 5000, consent["id"])]
    assert [t["id"] for t in held["tickets"]] == sorted(seeded + [ticket["id"]])
    assert held["tickets"][-1]["address"] == "南山区科技园1号"
    assert [b["openid"] for b in held["wechat_bindings"]] == ["oAbCdEfGh01"]
    assert [(r["task"], r["score"], r["sender_id"]) for r in held["satisfaction_ratings"]] == [("payment", 5, "web-1")]
    assert "password" not in str(held) and "scrypt" not in str(held)


async def test_a_number_without_a_line_exports_empty(client):
    held = await (await client.get("/v1/privacy/13700000000", headers=AUTH)).json()
    assert held == {
        "line": None,
        "consents": [],
        "payments": [],
        "tickets": [],
        "wechat_bindings": [],
        "satisfaction_ratings": [],
    }


async def test_erase_removes_and_anonymises_and_keeps_consents_payments_and_the_line(client):
    seeded = await _seeded_tickets(client)
    consent, ticket = await _activity(client)
    _, other_ticket = await _activity(client, "13900139000", "oOtherPerson1")
    response = await client.post(f"/v1/privacy/{PHONE}/erase", headers=AUTH)
    assert response.status == 200
    assert await response.json() == {
        "deleted": {"wechat_bindings": ["oAbCdEfGh01"]},
        "anonymised": {"tickets": sorted(seeded + [ticket["id"]]), "satisfaction_ratings": 1},
        "kept": [
            {"what": "line", "count": 1, "why": KEPT["line"]},
            {"what": "consents", "count": 1, "why": KEPT["consents"]},
            {"what": "payments", "count": 1, "why": KEPT["payments"]},
        ],
    }
    held = await (await client.get(f"/v1/privacy/{PHONE}", headers=AUTH)).json()
    assert (held["tickets"], held["wechat_bindings"], held["satisfaction_ratings"]) == ([], [], [])
    assert [c["id"] for c in held["consents"]] == [consent["id"]] and len(held["payments"]) == 1
    anonymised = await (await client.get(f"/v1/tickets/{ticket['id']}", headers=AUTH)).json()
    assert (anonymised["phone"], anonymised["description"], anonymised["address"], anonymised["category"]) == (
        ERASED_PHONE,
        ERASED_TEXT,
        None,
        "断网",
    )
    assert {event["note"] for event in anonymised["history"]} == {ERASED_TEXT}
    untouched = await (await client.get(f"/v1/tickets/{other_ticket['id']}", headers=AUTH)).json()
    assert (untouched["phone"], untouched["address"]) == ("13900139000", "南山区科技园1号")
    assert (await client.get("/v1/wechat-bindings/oAbCdEfGh01", headers=AUTH)).status == 404
    assert (await client.get("/v1/wechat-bindings/oOtherPerson1", headers=AUTH)).status == 200
    # The anonymous line cannot be reached through the API (not a valid mobile number).
    assert (await client.get(f"/v1/lines/{ERASED_PHONE}/tickets", headers=AUTH)).status == 400

    again = await (await client.post(f"/v1/privacy/{PHONE}/erase", headers=AUTH)).json()
    assert (again["deleted"], again["anonymised"]) == (
        {"wechat_bindings": []},
        {"tickets": [], "satisfaction_ratings": 0},
    )
    await client.post("/v1/privacy/13900139000/erase", headers=AUTH)  # a second erasure reuses the anonymous line
    async with client.app[DB_KEY].read() as conn:
        assert (await conn.execute(select(lines.c.status).where(lines.c.phone == ERASED_PHONE))).scalars().all() == [
            "erased"
        ]


async def test_privacy_routes_need_the_token_and_a_valid_number(client):
    assert (await client.get(f"/v1/privacy/{PHONE}")).status == 401
    assert (await client.post(f"/v1/privacy/{PHONE}/erase")).status == 401
    response = await client.post("/v1/privacy/1380013800x/erase", headers=AUTH)
    assert response.status == 400 and (await response.json())["field"] == "phone"
