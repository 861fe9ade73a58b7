"""The shared ``{tenant}`` path parameter refuses a malformed tenant id before any route runs."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hub_service.deps import TenantPath
from hub_service.problems import install_problem_handlers


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/v1/{tenant}/things")
    async def things(tenant: TenantPath) -> dict[str, str]:
        return {"tenant": tenant}

    return TestClient(app)


def test_a_well_formed_tenant_reaches_the_route(client: TestClient) -> None:
    assert client.get("/v1/stockton-on-tees/things").json() == {"tenant": "stockton-on-tees"}


@pytest.mark.parametrize("tenant", ["Stockton", "s", "9lives", "stock_ton", "x" * 41])
def test_a_malformed_tenant_is_an_invalid_request(client: TestClient, tenant: str) -> None:
    response = client.get(f"/v1/{tenant}/things")
    assert response.status_code == 422
    problem = response.json()
    assert problem["reason"] == "invalid-request"
    assert problem["errors"][0]["loc"] == ["path", "tenant"]
