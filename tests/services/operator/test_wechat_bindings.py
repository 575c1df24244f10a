"""WeChat openid bindings."""

from tests.services.operator.conftest import AUTH


async def test_bind_look_up_and_rebind(client):
    assert (await client.get("/v1/wechat-bindings/o_abc123", headers=AUTH)).status == 404
    response = await client.put("/v1/wechat-bindings/o_abc123", json={"phone": "13800138000"}, headers=AUTH)
    assert (await response.json())["phone"] == "13800138000"
    await client.put("/v1/wechat-bindings/o_abc123", json={"phone": "13900139000"}, headers=AUTH)
    body = await (await client.get("/v1/wechat-bindings/o_abc123", headers=AUTH)).json()
    assert (body["openid"], body["phone"], body["bound_at"]) == ("o_abc123", "13900139000", "2026-11-22T10:00:00+08:00")


async def test_bad_bindings_are_refused(client):
    assert (await client.put("/v1/wechat-bindings/o_abc123", json={"phone": "13700137000"}, headers=AUTH)).status == 404
    assert (await client.put("/v1/wechat-bindings/o_abc123", json={"phone": "12"}, headers=AUTH)).status == 400
    assert (await client.get("/v1/wechat-bindings/o!bad", headers=AUTH)).status == 400
