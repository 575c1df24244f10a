"""Cross-cutting behaviour of the backend API: health, authentication, malformed requests."""

import pytest

from tests.services.operator.conftest import AUTH


async def test_health_needs_no_token(client):
    response = await client.get("/health")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no header at all
        {"Authorization": "Bearer wrong-token-0123456789"},  # wrong token
        {"Authorization": "Basic dGVzdDp0ZXN0"},  # wrong scheme
    ],
)
async def test_api_requires_the_token(client, headers):
    response = await client.get("/v1/lines/13800138000", headers=headers)
    assert response.status == 401
    assert await response.json() == {"error": "unauthorized", "message": "a valid Bearer token is required"}


async def test_malformed_json_is_400(client):
    response = await client.post(
        "/v1/identity/verify", data=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 400
    assert await response.json() == {"error": "invalid_input", "message": "the body is not valid JSON"}


async def test_wrong_content_type_is_400(client):
    response = await client.post("/v1/identity/verify", data=b"phone=13800138000", headers=AUTH)
    assert response.status == 400
    assert (await response.json())["error"] == "invalid_input"


async def test_json_array_body_is_400(client):
    response = await client.post("/v1/payments", json=[1, 2], headers=AUTH)
    assert response.status == 400
    assert await response.json() == {
        "error": "invalid_input",
        "message": "body must be a JSON object",
        "field": "body",
    }


async def test_unknown_route_is_json_404(client):
    response = await client.get("/v1/nothing-here", headers=AUTH)
    assert response.status == 404
    assert await response.json() == {"error": "not_found", "message": "Not Found"}


async def test_a_deeply_nested_json_body_is_400_not_500(client):
    body = b'{"phone": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = await client.post("/v1/identity/verify", data=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {
        "error": "invalid_input",
        "message": "the JSON body nests more than 64 levels deep",
    }


async def test_compressed_and_oversized_bodies_are_refused_before_reading(client):
    response = await client.post(
        "/v1/identity/verify",
        data=b"\x1f\x8b\x08\x00",
        headers={**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status == 415
    assert (await response.json())["error"] == "unsupported_content_encoding"
    response = await client.post(
        "/v1/identity/verify", data=b"{" + b" " * 70_000 + b"}", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 413
    assert await response.json() == {
        "error": "body_too_large",
        "message": "the request body must be at most 65536 bytes",
    }
