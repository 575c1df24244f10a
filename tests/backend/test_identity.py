"""Service-password verification and the per-number lock."""

import pytest

from tests.backend.conftest import AUTH


async def verify(client, phone, password):
    response = await client.post("/v1/identity/verify", json={"phone": phone, "password": password}, headers=AUTH)
    return response.status, await response.json()


async def test_right_password_verifies(client):
    assert await verify(client, "13800138000", "123456") == (
        200,
        {"phone": "13800138000", "verified": True, "customer_name": "张伟"},
    )
    assert await verify(client, "13900139000", "654321") == (
        200,
        {"phone": "13900139000", "verified": True, "customer_name": "李娜"},
    )


async def test_three_wrong_passwords_lock_for_thirty_minutes(client, clock):
    assert await verify(client, "13800138000", "111111") == (
        403,
        {"error": "wrong_password", "message": "wrong service password", "attempts_left": 2},
    )
    assert (await verify(client, "13800138000", "222222"))[1]["attempts_left"] == 1
    status, body = await verify(client, "13800138000", "333333")
    assert status == 423
    assert body == {
        "error": "verification_locked",
        "message": "too many wrong passwords; verification is locked",
        "locked_until": "2026-11-22T10:30:00+08:00",
        "retry_after_seconds": 1800,
    }
    # Even the right password is refused while locked.
    status, body = await verify(client, "13800138000", "123456")
    assert (status, body["error"], body["retry_after_seconds"]) == (423, "verification_locked", 1801)
    # The lock is per number: the other line is unaffected.
    assert (await verify(client, "13900139000", "654321"))[0] == 200
    clock.advance(minutes=30, seconds=1)
    assert (await verify(client, "13800138000", "123456"))[0] == 200


async def test_success_resets_the_failure_count(client):
    await verify(client, "13800138000", "111111")
    await verify(client, "13800138000", "222222")
    assert (await verify(client, "13800138000", "123456"))[0] == 200
    assert (await verify(client, "13800138000", "111111"))[1]["attempts_left"] == 2


@pytest.mark.parametrize(
    "phone, password, status, error",
    [
        ("13700137000", "123456", 404, "unknown_number"),  # well-formed but not a customer
        ("1380013800", "123456", 400, "invalid_input"),  # 10 digits
        ("23800138000", "123456", 400, "invalid_input"),  # not a mobile prefix
        ("13800138000", "12345", 400, "invalid_input"),  # password too short
        ("13800138000", "12345a", 400, "invalid_input"),  # password not digits
        ("13800138000", 123456, 400, "invalid_input"),  # password as a number, not a string
        (None, "123456", 400, "invalid_input"),  # missing phone
    ],
)
async def test_bad_identity_input(client, phone, password, status, error):
    got_status, body = await verify(client, phone, password)
    assert (got_status, body["error"]) == (status, error)
