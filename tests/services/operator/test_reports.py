"""The dashboard's activity: the ratings and callbacks of a period, as rows."""

import pytest

from tests.services.operator.conftest import AUTH

DAY = {"since": "2026-11-22T00:00:00+08:00", "until": "2026-11-23T00:00:00+08:00"}


async def activity(client, **query):
    response = await client.get("/v1/reports/activity", params=query, headers=AUTH)
    return response.status, await response.json()


async def test_the_period_s_ratings_and_callbacks(client, clock):
    rating = {"sender_id": "web-1", "channel": "socketio", "task": "handoff", "score": 4}
    await client.post("/v1/satisfaction", json=rating, headers=AUTH)
    callback = {"phone": "13800138000", "kind": "回访", "category": "人工回电", "description": "客户要求回电"}
    clock.advance(minutes=30)
    await client.post("/v1/tickets", json=callback, headers=AUTH)
    fault = {"phone": "13800138000", "kind": "故障报修", "category": "断网", "description": "断网了"}
    await client.post("/v1/tickets", json=fault, headers=AUTH)  # not a callback
    clock.advance(days=1)  # the next day: outside the period asked for
    await client.post("/v1/satisfaction", json={**rating, "score": 1}, headers=AUTH)

    status, body = await activity(client, **DAY)
    assert status == 200
    assert body == {
        "ratings": [
            {
                "sender_id": "web-1",
                "channel": "socketio",
                "task": "handoff",
                "score": 4,
                "created_at": "2026-11-22T10:00:00+08:00",
            }
        ],
        "callbacks": [
            {
                "ticket_id": "T20261122001",
                "category": "人工回电",
                "status": "待处理",
                "created_at": "2026-11-22T10:30:00+08:00",
            }
        ],
    }


@pytest.mark.parametrize(
    "query, field",
    [
        ({"until": DAY["until"]}, "since"),
        ({**DAY, "since": "2026-11-22"}, "since"),  # no offset
        ({**DAY, "until": DAY["since"]}, "until"),  # empty period
        ({**DAY, "until": "2027-06-01T00:00:00+08:00"}, "until"),  # longer than a quarter
    ],
)
async def test_bad_periods_are_refused(client, query, field):
    status, body = await activity(client, **query)
    assert status == 400
    assert (body["error"], body["field"]) == ("invalid_input", field)
