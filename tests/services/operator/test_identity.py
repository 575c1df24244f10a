"""Service-password verification, the per-number lock and the per-client limits."""

import asyncio

import pytest

from bot.services.operator import identity
from bot.services.operator.requests import DB_KEY
from tests.services.operator.conftest import AUTH

LOCKED = {"error": "verification_locked", "message": "too many wrong passwords; verification is locked"}


async def verify(client, phone, password, **client_keys):
    body = {"phone": phone, "password": password, **({"client": client_keys} if client_keys else {})}
    response = await client.post("/v1/identity/verify", json=body, headers=AUTH)
    return response.status, await response.json()


def wrong(attempts_left):
    return 403, {"error": "wrong_password", "message": "wrong service password", "attempts_left": attempts_left}


def rate_limited(limit, retry_after_seconds):
    return 429, {
        "error": "verification_rate_limited",
        "message": "too many failed verifications from this client; try again later",
        "limit": limit,
        "retry_after_seconds": retry_after_seconds,
    }


def stranger(index):
    """A well-formed number that is not a customer."""
    return f"1370013{index:04d}"


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


async def test_an_unknown_number_answers_exactly_like_a_wrong_password(client, clock):
    for phone in ("13800138000", "13700137000"):  # a customer, and a well-formed number that is not one
        assert await verify(client, phone, "111111") == wrong(2)
        assert await verify(client, phone, "222222") == wrong(1)
        assert await verify(client, phone, "333333") == (
            423,
            {**LOCKED, "locked_until": "2026-11-22T10:30:00+08:00", "retry_after_seconds": 1800},
        )
        assert await verify(client, phone, "123456") == (
            423,
            {**LOCKED, "locked_until": "2026-11-22T10:30:00+08:00", "retry_after_seconds": 1801},
        )
    clock.advance(minutes=30, seconds=1)
    assert await verify(client, "13700137000", "123456") == wrong(2)  # the lock expired: counted afresh


async def test_an_unknown_number_costs_one_password_hash_like_a_customer(client, monkeypatch):
    checked, real = [], identity.verify_password

    def spy(password, stored):
        checked.append(stored.split("$")[:4])
        return real(password, stored)

    monkeypatch.setattr(identity, "verify_password", spy)
    await verify(client, "13800138000", "111111")
    await verify(client, "13700137000", "111111")
    assert checked == [["scrypt", "16384", "8", "1"], ["scrypt", "16384", "8", "1"]]


async def test_a_conversation_is_limited_across_numbers_without_locking_anyone(client, clock):
    # 6 failures from one conversation, spread over numbers (none of them reaches its own lock).
    for index in range(3):
        for attempts_left in (2, 1):
            assert await verify(client, stranger(index), "111111", conversation="wx:o_sprayer") == wrong(attempts_left)
    # Refused before any check: neither a guess nor the right password, and no number is charged for it.
    assert await verify(client, "13800138000", "111111", conversation="wx:o_sprayer") == rate_limited(
        "conversation", 3600
    )
    assert await verify(client, "13800138000", "123456", conversation="wx:o_sprayer") == rate_limited(
        "conversation", 3600
    )
    assert await verify(client, "13800138000", "111111", conversation="another") == wrong(2)
    assert await verify(client, stranger(0), "111111", conversation="another") == (
        423,
        {**LOCKED, "locked_until": "2026-11-22T10:30:00+08:00", "retry_after_seconds": 1800},
    )
    # The window ends an hour after the first failure.
    clock.advance(minutes=59)
    assert (await verify(client, "13900139000", "654321", conversation="wx:o_sprayer"))[0] == 429
    clock.advance(minutes=1)
    assert (await verify(client, "13900139000", "654321", conversation="wx:o_sprayer"))[0] == 200


async def test_an_address_is_limited_across_conversations(client):
    for index in range(10):
        for _attempts_left in (2, 1):
            status, _ = await verify(client, stranger(index), "111111", conversation=f"c{index}", address="203.0.113.7")
            assert status == 403
    assert await verify(client, stranger(10), "111111", conversation="fresh", address="203.0.113.7") == rate_limited(
        "address", 3600
    )
    # The same client in the IPv4-mapped IPv6 form is the same address; another address is not limited.
    assert (await verify(client, stranger(10), "111111", address="::ffff:203.0.113.7"))[0] == 429
    assert await verify(client, stranger(10), "111111", address="203.0.113.8") == wrong(2)


async def test_an_ipv6_address_counts_for_its_whole_64(client):
    for index in range(10):
        for attempts_left in (2, 1):
            address = f"2001:db8:1:2::{index:x}{attempts_left}"
            assert await verify(client, stranger(index), "111111", address=address) == wrong(attempts_left)
    assert (await verify(client, stranger(10), "111111", address="2001:db8:1:2:ffff::1"))[0] == 429
    assert await verify(client, stranger(10), "111111", address="2001:db8:1:3::1") == wrong(2)


async def test_successes_do_not_count_against_the_client(client):
    for _ in range(10):
        assert (await verify(client, "13800138000", "123456", conversation="c", address="198.51.100.1"))[0] == 200


@pytest.mark.parametrize(
    "client_keys, field",
    [
        ({"address": "not-an-ip"}, "client.address"),
        ({"address": 12}, "client.address"),
        ({"conversation": ""}, "client.conversation"),
        ({"conversation": "x" * 129}, "client.conversation"),
        ({"conversation": "c", "cookie": "x"}, "client"),
    ],
)
async def test_bad_client_keys_are_refused(client, client_keys, field):
    status, body = await verify(client, "13800138000", "123456", **client_keys)
    assert (status, body["error"], body["field"]) == (400, "invalid_input", field)


async def test_client_must_be_an_object(client):
    body = {"phone": "13800138000", "password": "123456", "client": "c"}
    response = await client.post("/v1/identity/verify", json=body, headers=AUTH)
    assert (response.status, (await response.json())["field"]) == (400, "client")


async def test_parallel_guesses_cannot_pass_the_client_limit(client):
    answers = await asyncio.gather(
        *(verify(client, stranger(index), "111111", conversation="parallel") for index in range(10))
    )
    assert sorted(status for status, _ in answers) == [403] * 6 + [429] * 4


async def test_pruning_keeps_every_counter_that_still_changes_an_answer(client, clock):
    db = client.server.app[DB_KEY]
    for password in ("111111", "222222", "333333"):
        await verify(client, "13700137000", password, conversation="old")  # locked until 10:30
    await verify(client, "13700137001", "111111")  # one failure, no lock: kept for ever, like a customer's
    clock.advance(minutes=30, seconds=1)
    await verify(client, "13800138000", "111111", conversation="recent")
    assert await identity.prune_counters(db) == 1  # the expired lock; no window has ended yet
    clock.advance(minutes=30)
    assert await identity.prune_counters(db) == 1  # the window of "old" (begun at 10:00)
    assert await verify(client, "13700137001", "111111") == wrong(1)
    assert await verify(client, "13700137000", "111111", conversation="old") == wrong(2)
    assert await verify(client, "13800138000", "222222", conversation="recent") == wrong(1)
