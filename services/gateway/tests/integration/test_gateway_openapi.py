"""schemathesis against the gateway's OpenAPI document: 0 server errors, signed in
as a hub manager (with the session's CSRF token) and signed out."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.integration


def test_no_generated_request_makes_a_server_error(hub: Any) -> None:
    hub.concern(hub.tenant, "FUZZ-1")
    hub.wait_for_contacts(hub.tenant, 1)
    csrf = hub.sign_in(hub.tenant, "manager")
    cookies = dict(hub.gateway.cookies)
    failures: list[str] = []
    statuses: list[int] = []
    with hub.serve() as base_url:
        schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
        schema.config.update(base_url=base_url)
        for signed_in in (True, False):
            headers = {**csrf} if signed_in else {}
            for result in schema.get_all_operations():
                operation = result.ok()
                if operation.path == "/api/v1/status":
                    continue  # asks the other services, which this test does not run
                if signed_in and operation.method.upper() == "DELETE":
                    continue  # signing out would end the session the rest of the run uses

                _fuzz(operation, headers, cookies if signed_in else {}, failures, statuses)
    assert failures == []
    assert len(statuses) > 100  # the fuzzer did run
    assert 200 in statuses  # and got past sign-in, not only refusals


def _fuzz(
    operation: Any,
    headers: dict[str, str],
    cookies: dict[str, str],
    out: list[str],
    statuses: list[int],
) -> None:
    @settings(
        max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        response = case.call(headers=headers, cookies=cookies)
        statuses.append(response.status_code)
        if response.status_code >= 500:
            out.append(f"{operation.method.upper()} {operation.path}: {response.status_code}")

    check()
