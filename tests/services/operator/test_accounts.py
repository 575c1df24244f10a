"""Lines and balances of the demo customers."""

import pytest

from tests.services.operator.conftest import AUTH


async def test_zhang_wei_balance_and_usage(client):
    response = await client.get("/v1/lines/13800138000/balance", headers=AUTH)
    assert response.status == 200
    assert await response.json() == {
        "phone": "13800138000",
        "customer_name": "张伟",
        "status": "active",
        "balance_fen": 5830,
        "in_arrears": False,
        "arrears_fen": 0,
        "as_of": "2026-11-22T10:00:00+08:00",
        "cycle": "2026-11",
        "data_mb": {"total": 40960, "used": 28160, "left": 12800},
        "voice_min": {"total": 500, "used": 180, "left": 320},
    }


async def test_li_na_is_in_arrears(client):
    response = await client.get("/v1/lines/13900139000", headers=AUTH)
    assert await response.json() == {
        "phone": "13900139000",
        "customer_name": "李娜",
        "status": "active",
        "balance_fen": -1250,
        "in_arrears": True,
        "arrears_fen": 1250,
    }


async def test_usage_of_a_new_cycle_starts_at_zero(client, clock):
    clock.advance(days=10)  # 2026-12-02: no usage recorded yet
    body = await (await client.get("/v1/lines/13800138000/balance", headers=AUTH)).json()
    assert (body["cycle"], body["data_mb"], body["voice_min"]) == (
        "2026-12",
        {"total": 40960, "used": 0, "left": 40960},
        {"total": 500, "used": 0, "left": 500},
    )


@pytest.mark.parametrize(
    "path, status",
    [
        ("/v1/lines/13700137000", 404),  # unknown number
        ("/v1/lines/13700137000/balance", 404),
        ("/v1/lines/138001380001/balance", 400),  # 12 digits
        ("/v1/lines/abc/balance", 400),
    ],
)
async def test_bad_lines(client, path, status):
    response = await client.get(path, headers=AUTH)
    assert response.status == status
