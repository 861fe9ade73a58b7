"""The authorisation matrix: every endpoint x role x tenant.

0 cross-tenant reads (a user of one tenant is refused everything of the
other, by any route, with ``tenant-not-permitted``), and 0 actions beyond a
role (refused with ``role-not-permitted``); what a role may do is not refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from gateway.domain.access import PERMISSIONS, Action
from hub_service.staff import Role

pytestmark = pytest.mark.integration

RATING = {"rag_rating": "amber", "rationale": "Matrix check."}
DECISION = {"outcome": "No Further Action", "reason": "Matrix check."}
REASON = {"reason": "Matrix check."}
SHARE = {"recipient": "health", "lawful_basis": "uk-gdpr-6-1-e", "reason": "Matrix check."}
NOT_SHARE = {"recipient": "education", "reason_code": "no-lawful-basis", "reason": "Matrix."}
# (action, method, API path under /api/v1/{tenant}, JSON body); {id} is a contact,
# {pid} its hub person, PC-matrix a candidate id nobody has
API = [
    (Action.VIEW_QUEUE, "GET", "/contacts", None),
    (Action.VIEW_CONTACT, "GET", "/contacts/{id}", None),
    (Action.VIEW_ENQUIRIES, "GET", "/contacts/{id}/enquiries", None),
    (Action.RATE_CONTACT, "POST", "/contacts/{id}/rating", RATING),
    (Action.DECIDE_CONTACT, "POST", "/contacts/{id}/decision", DECISION),
    (Action.VIEW_ACCESS_AUDIT, "GET", "/contacts/{id}/audit", None),
    (Action.VIEW_ENQUIRY_BOARD, "GET", "/enquiry-status", None),
    (Action.REVIEW_DUPLICATES, "GET", "/person-candidates", None),
    (Action.CONFIRM_DUPLICATE, "POST", "/person-candidates/PC-matrix/confirmation", REASON),
    (Action.REJECT_DUPLICATE, "POST", "/person-candidates/PC-matrix/rejection", REASON),
    (Action.VIEW_PERSON, "GET", "/persons/{pid}", None),
    (Action.UNLINK_PERSON, "POST", "/persons/{pid}/unlink", REASON),
    (Action.RECORD_SHARING_DECISION, "POST", "/persons/{pid}/shares-without-consent", SHARE),
    (Action.RECORD_SHARING_DECISION, "POST", "/persons/{pid}/decisions-not-to-share", NOT_SHARE),
]
# (action, method, page path under /{tenant}, form)
PAGES = [
    (Action.VIEW_QUEUE, "GET", "/contacts", None),
    (Action.VIEW_CONTACT, "GET", "/contacts/{id}", None),
    (Action.RATE_CONTACT, "POST", "/contacts/{id}/rating", RATING),
    (Action.DECIDE_CONTACT, "GET", "/contacts/{id}/decision", None),
    (Action.DECIDE_CONTACT, "POST", "/contacts/{id}/decision", DECISION),
    (Action.VIEW_ACCESS_AUDIT, "GET", "/audit?contact_id={id}", None),
    (Action.VIEW_ENQUIRY_BOARD, "GET", "/enquiries", None),
    (Action.REVIEW_DUPLICATES, "GET", "/duplicates", None),
    (Action.REJECT_DUPLICATE, "POST", "/duplicates/PC-matrix", {"decision": "rejection", **REASON}),
    (
        Action.CONFIRM_DUPLICATE,
        "POST",
        "/duplicates/PC-matrix",
        {"decision": "confirmation", **REASON},
    ),
    (Action.VIEW_PERSON, "GET", "/persons/{pid}", None),
    (Action.UNLINK_PERSON, "POST", "/persons/{pid}/unlink", REASON),
    (Action.RECORD_SHARING_DECISION, "GET", "/contacts/{id}/sharing", None),
    (
        Action.RECORD_SHARING_DECISION,
        "POST",
        "/contacts/{id}/sharing",
        {"decision": "share", **SHARE},
    ),
]
ROLES = {
    "practitioner": Role.PRACTITIONER,
    "manager": Role.MANAGER,
    "liaison": Role.AGENCY_LIAISON,
    "auditor": Role.AUDITOR,
}


def test_every_endpoint_for_every_role_in_both_tenants(hub: Any) -> None:
    gw = hub.gateway
    hub.concern(hub.tenant, "MATRIX-1")
    hub.concern(hub.other, "MATRIX-2")
    mine = next(
        c["contact_id"]
        for c in hub.wait_for_contacts(hub.tenant, 1)
        if c["child_name"].endswith("MATRIX-1")
    )
    theirs = next(
        c["contact_id"]
        for c in hub.wait_for_contacts(hub.other, 1)
        if c["child_name"].endswith("MATRIX-2")
    )
    person = {
        contact_id: hub.front_door_contact(tenant, contact_id)["person_id"]
        for tenant, contact_id in ((hub.tenant, mine), (hub.other, theirs))
    }
    checked = leaks = beyond = 0
    for name in sorted(ROLES):
        role = ROLES[name]
        csrf = hub.sign_in(hub.tenant, name)
        for tenant, contact_id in ((hub.tenant, mine), (hub.other, theirs)):
            for action, method, path, body in API:
                url = f"/api/v1/{tenant}" + path.format(id=contact_id, pid=person[contact_id])
                answer = gw.request(method, url, json=body, headers=csrf)
                checked += 1
                reason = answer.json().get("reason") if answer.status_code >= 400 else None
                if tenant != hub.tenant:
                    assert (answer.status_code, reason) == (403, "tenant-not-permitted"), url
                    leaks += answer.status_code < 400
                elif role in PERMISSIONS[action]:
                    assert answer.status_code not in (401, 403), (name, url, answer.text)
                else:
                    assert (answer.status_code, reason) == (403, "role-not-permitted"), url
                    beyond += answer.status_code < 400
            for action, method, path, form in PAGES:
                url = f"/{tenant}" + path.format(id=contact_id, pid=person[contact_id])
                data = {**form, "csrf_token": csrf["X-CSRF-Token"]} if form else None
                answer = gw.request(method, url, data=data, follow_redirects=False)
                checked += 1
                allowed = tenant == hub.tenant and role in PERMISSIONS[action]
                if allowed:
                    assert answer.status_code != 403, (name, url)
                else:
                    assert answer.status_code == 403, (name, method, url, answer.status_code)
                    assert "You cannot see this" in answer.text
                    assert "MATRIX" not in answer.text
    assert (leaks, beyond) == (0, 0)
    assert {a for a, *_ in API} == set(Action)  # every action is in the matrix
    assert checked == 4 * 2 * (len(API) + len(PAGES))
