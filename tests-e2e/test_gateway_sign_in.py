"""The gateway as `make up` starts it: demo users sign in and see only their tenant."""

from __future__ import annotations

import httpx
import pytest
from hub_localstack.stack import Stack

pytestmark = pytest.mark.e2e


def test_demo_users_sign_in_and_stay_in_their_tenant(hub: Stack) -> None:
    with httpx.Client(base_url=hub.config.service_url("gateway"), timeout=30) as client:
        page = client.get("/sign-in")
        assert page.status_code == 200
        assert "govuk-frontend.min.css" in page.text
        assert client.get("/static/govuk/govuk-frontend.min.css").status_code == 200
        token = client.get("/api/v1/sign-in").json()["csrf_token"]
        signed_in = client.post(
            "/api/v1/session",
            json={"username": "stockton-practitioner", "password": "demo-stockton-practitioner"},
            headers={"X-CSRF-Token": token},
        )
        assert signed_in.status_code == 201, signed_in.text
        assert signed_in.json()["tenants"] == ["stockton"]
        queue = client.get("/api/v1/stockton/contacts")
        assert queue.status_code == 200, queue.text
        cross = client.get("/api/v1/hartlepool/contacts")
        assert cross.status_code == 403
        assert cross.json()["reason"] == "tenant-not-permitted"
