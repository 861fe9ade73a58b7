"""The JSON API's operations, as its OpenAPI document lists them: clients (and the
README's table) rely on exactly these. Built, not served: no I/O."""

from __future__ import annotations

from gateway.bootstrap import build_app
from hub_service import ServiceSettings

T = "/api/v1/{tenant}"
OPERATIONS = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/statusz"),
    ("GET", "/metrics"),
    ("GET", "/api/v1/status"),
    ("GET", "/api/v1/sign-in"),
    ("POST", "/api/v1/session"),
    ("GET", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("GET", "/api/v1/codes"),
    ("GET", f"{T}/contacts"),
    ("GET", f"{T}/contacts/{{contact_id}}"),
    ("GET", f"{T}/contacts/{{contact_id}}/enquiries"),
    ("POST", f"{T}/contacts/{{contact_id}}/rating"),
    ("POST", f"{T}/contacts/{{contact_id}}/decision"),
    ("GET", f"{T}/contacts/{{contact_id}}/audit"),
    ("GET", f"{T}/enquiry-status"),
    ("GET", f"{T}/person-candidates"),
    ("POST", f"{T}/person-candidates/{{candidate_id}}/confirmation"),
    ("POST", f"{T}/person-candidates/{{candidate_id}}/rejection"),
    ("GET", f"{T}/persons/{{person_id}}"),
    ("POST", f"{T}/persons/{{person_id}}/unlink"),
    ("POST", f"{T}/persons/{{person_id}}/shares-without-consent"),
    ("POST", f"{T}/persons/{{person_id}}/decisions-not-to-share"),
}


def test_the_api_offers_exactly_its_operations_and_no_page() -> None:
    app = build_app(ServiceSettings.for_service("gateway", tenants=("hartlepool",)))
    paths = app.openapi()["paths"]
    assert {(m.upper(), p) for p, item in paths.items() for m in item} == OPERATIONS
    writes = [op for item in paths.values() for m, op in item.items() if m in ("post", "delete")]
    # every state-changing call documents the CSRF header it must send
    assert all("x-csrf-token" in {p["name"] for p in op.get("parameters", [])} for op in writes)
