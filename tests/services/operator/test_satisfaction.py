"""Satisfaction ratings: validation, storage and the per-task summary."""

import pytest

from tests.services.operator.conftest import AUTH


async def rate(client, **body):
    payload = {"sender_id": "web-1", "channel": "rest", "task": "payment", "score": 5, **body}
    response = await client.post("/v1/satisfaction", json=payload, headers=AUTH)
    return response.status, await response.json()


async def test_a_rating_is_stored_and_summarised(client):
    status, body = await rate(client, phone="13800138000")
    assert status == 201
    assert body == {
        "id": 1,
        "sender_id": "web-1",
        "channel": "rest",
        "task": "payment",
        "score": 5,
        "phone": "13800138000",
        "created_at": "2026-11-22T10:00:00+08:00",
    }
    await rate(client, score=2, phone=None)
    await rate(client, task="balance", score=4)
    response = await client.get("/v1/satisfaction/summary", headers=AUTH)
    assert await response.json() == {
        "count": 3,
        "average": 3.67,
        "tasks": {
            "balance": {"count": 1, "average": 4.0, "scores": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}},
            "payment": {"count": 2, "average": 3.5, "scores": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}},
        },
    }


async def test_empty_summary(client):
    response = await client.get("/v1/satisfaction/summary", headers=AUTH)
    assert await response.json() == {"count": 0, "average": None, "tasks": {}}


@pytest.mark.parametrize(
    "override, field",
    [
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": 4.5}, "score"),
        ({"score": "5"}, "score"),
        ({"score": True}, "score"),
        ({"task": "lottery"}, "task"),
        ({"phone": "123"}, "phone"),
        ({"sender_id": ""}, "sender_id"),
    ],
)
async def test_bad_ratings_are_refused(client, override, field):
    status, body = await rate(client, **override)
    assert status == 400
    assert (body["error"], body["field"]) == ("invalid_input", field)
