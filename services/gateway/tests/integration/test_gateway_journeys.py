"""The gateway on the real broker and database, in front of a real front door."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration


def test_sign_in_needs_csrf_refuses_wrong_passwords_and_locks_after_five(hub: Any) -> None:
    gw = hub.gateway
    gw.cookies.clear()
    assert gw.get("/api/v1/session").json()["reason"] == "unauthenticated"
    creds = {"username": f"{hub.other}-liaison", "password": "wrong"}
    no_token = gw.post("/api/v1/session", json=creds)
    assert no_token.status_code == 403
    assert no_token.json()["reason"] == "csrf-token-invalid"
    token = {"X-CSRF-Token": gw.get("/api/v1/sign-in").json()["csrf_token"]}
    for _ in range(5):
        failed = gw.post("/api/v1/session", json=creds, headers=token)
        assert failed.status_code == 401
        assert failed.json()["reason"] == "sign-in-failed"
    right = {**creds, "password": f"pw-{hub.other}-liaison"}
    locked = gw.post("/api/v1/session", json=right, headers=token)
    assert locked.status_code == 429
    assert locked.json()["reason"] == "sign-in-locked"
    # an unknown username gets the same answers (no enumeration)
    unknown = gw.post(
        "/api/v1/session", json={"username": "nobody", "password": "x"}, headers=token
    )
    assert unknown.json()["reason"] == "sign-in-failed"


def test_session_cookie_is_http_only_and_lax_and_sign_out_ends_it(hub: Any) -> None:
    gw = hub.gateway
    gw.cookies.clear()
    token = gw.get("/api/v1/sign-in").json()["csrf_token"]
    response = gw.post(
        "/api/v1/session",
        json={"username": f"{hub.tenant}-manager", "password": f"pw-{hub.tenant}-manager"},
        headers={"X-CSRF-Token": token},
    )
    cookie = next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("hub_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    me = gw.get("/api/v1/session").json()
    assert me["roles"] == ["hub-manager"]
    assert me["tenants"] == [hub.tenant]
    assert gw.delete("/api/v1/session").json()["reason"] == "csrf-token-invalid"
    out = gw.delete("/api/v1/session", headers={"X-CSRF-Token": me["csrf_token"]})
    assert out.status_code == 204
    assert gw.get("/api/v1/session").status_code == 401


def test_screen_decide_and_see_who_looked_through_the_api(hub: Any) -> None:
    gw, tenant = hub.gateway, hub.tenant
    hub.concern(tenant, "API-1")
    hub.concern(hub.other, "API-OTHER")
    [mine] = [c for c in hub.wait_for_contacts(tenant, 1) if c["child_name"].endswith("API-1")]
    [theirs] = hub.wait_for_contacts(hub.other, 1)
    contact_id = mine["contact_id"]

    csrf = hub.sign_in(tenant, "practitioner")
    queue = gw.get(f"/api/v1/{tenant}/contacts")
    assert queue.status_code == 200, queue.text
    row = next(r for r in queue.json() if r["contact_id"] == contact_id)
    assert row["rag_rating"] == "red"
    assert row["rag_tag"] == "govuk-tag--red"
    assert row["time_left"].endswith("left")
    seconds = [r["seconds_left"] for r in queue.json()]
    assert seconds == sorted(seconds)

    page = gw.get(f"/api/v1/{tenant}/contacts/{contact_id}")
    assert page.status_code == 200, page.text
    assert page.json()["contact"]["contact_id"] == contact_id
    assert "timeline" in page.json()["view"]  # the joined-up view, with provenance
    rating = {"rag_rating": "red", "rationale": "Child present; repeat incidents."}
    no_csrf = gw.post(f"/api/v1/{tenant}/contacts/{contact_id}/rating", json=rating)
    assert no_csrf.json()["reason"] == "csrf-token-invalid"
    rated = gw.post(f"/api/v1/{tenant}/contacts/{contact_id}/rating", json=rating, headers=csrf)
    assert rated.status_code == 200, rated.text
    enquiries = gw.get(f"/api/v1/{tenant}/contacts/{contact_id}/enquiries").json()
    assert sorted(e["agency"] for e in enquiries) == [
        "early-help",
        "education",
        "health",
        "police",
        "social-care",
    ]
    decision = {"outcome": "CIN Referral", "reason": "Needs assessment.", "primary_need": "N1"}
    refused = gw.post(
        f"/api/v1/{tenant}/contacts/{contact_id}/decision", json=decision, headers=csrf
    )
    assert refused.status_code == 403
    assert refused.json()["reason"] == "role-not-permitted"

    # never another tenant's child: not by its tenant, not by its id under ours
    cross = gw.get(f"/api/v1/{hub.other}/contacts/{theirs['contact_id']}")
    assert cross.status_code == 403
    assert cross.json()["reason"] == "tenant-not-permitted"
    guessed = gw.get(f"/api/v1/{tenant}/contacts/{theirs['contact_id']}")
    assert guessed.status_code == 404
    assert guessed.json()["reason"] == "contact-not-found"

    csrf = hub.sign_in(tenant, "manager")
    no_reason = gw.post(
        f"/api/v1/{tenant}/contacts/{contact_id}/decision",
        json={**decision, "reason": ""},
        headers=csrf,
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["reason"] == "invalid-request"
    decided = gw.post(
        f"/api/v1/{tenant}/contacts/{contact_id}/decision", json=decision, headers=csrf
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["outcome"] == "CIN Referral"

    hub.sign_in(tenant, "auditor")
    assert gw.get(f"/api/v1/{tenant}/contacts").json()["reason"] == "role-not-permitted"
    audit = gw.get(f"/api/v1/{tenant}/contacts/{contact_id}/audit")
    assert audit.status_code == 200, audit.text
    seen = [(e["user_id"], e["action"], e["outcome"]) for e in audit.json()["gateway"]]
    assert (f"u-{tenant}-practitioner", "view-contact", "done") in seen
    assert (f"u-{tenant}-practitioner", "decide-contact", "role-not-permitted") in seen
    assert (f"u-{tenant}-manager", "decide-contact", "done") in seen
    assert all("child" not in e and "child_name" not in e for e in audit.json()["gateway"])
    # and the front door's own log of the views it served, for the same child
    viewers = {v["user_id"] for v in audit.json()["front_door"]}
    assert f"u-{tenant}-practitioner" in viewers
    # the other tenant's audit shows the refused cross-tenant look, and nothing of ours
    hub.sign_in(hub.other, "auditor")
    theirs_audit = gw.get(f"/api/v1/{hub.other}/contacts/{theirs['contact_id']}/audit").json()
    assert [e["outcome"] for e in theirs_audit["gateway"]] == ["tenant-not-permitted"]
    assert gw.get(f"/api/v1/{tenant}/contacts/{contact_id}/audit").status_code == 403


def test_pages_sign_in_show_the_queue_and_contact_and_take_a_decision(hub: Any) -> None:
    gw, tenant = hub.gateway, hub.tenant
    hub.concern(tenant, "PAGE-1")
    hub.wait_for_contacts(tenant, 1)
    gw.cookies.clear()
    assert gw.get(f"/{tenant}/contacts", follow_redirects=False).status_code == 303
    form = gw.get("/sign-in")
    assert form.status_code == 200
    assert 'class="govuk-skip-link"' in form.text
    assert "content-security-policy" in form.headers
    signin_token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    bad = gw.post(
        "/sign-in",
        data={"csrf_token": signin_token, "username": f"{tenant}-manager", "password": "no"},
    )
    assert bad.status_code == 401
    assert "govuk-error-summary" in bad.text
    ok = gw.post(
        "/sign-in",
        data={
            "csrf_token": signin_token,
            "username": f"{tenant}-manager",
            "password": f"pw-{tenant}-manager",
            "next": f"/{tenant}/contacts",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == f"/{tenant}/contacts"
    queue = gw.get(f"/{tenant}/contacts")
    assert "Hart-PAGE-1" in queue.text
    contact_id = queue.text.split("Hart-PAGE-1")[0].rsplit(f'href="/{tenant}/contacts/', 1)[1]
    contact_id = contact_id.split('"')[0]
    contact = gw.get(f"/{tenant}/contacts/{contact_id}")
    assert contact.status_code == 200
    assert "Rate this contact" in contact.text
    csrf = contact.text.split('name="csrf_token" value="')[1].split('"')[0]
    rated = gw.post(
        f"/{tenant}/contacts/{contact_id}/rating",
        data={"csrf_token": csrf, "rag_rating": "red", "rationale": "Repeat incidents."},
        follow_redirects=False,
    )
    assert rated.status_code == 303
    page = gw.get(f"/{tenant}/contacts/{contact_id}")
    assert "Record a decision" in page.text
    assert "Enquiry status per agency" in page.text
    missing = gw.post(
        f"/{tenant}/contacts/{contact_id}/decision",
        data={"csrf_token": csrf, "outcome": "No Further Action", "reason": ""},
    )
    assert missing.status_code == 422
    assert "There is a problem" in missing.text
    assert 'href="#reason"' in missing.text
    forged = gw.post(
        f"/{tenant}/contacts/{contact_id}/decision",
        data={"csrf_token": "forged", "outcome": "No Further Action", "reason": "x"},
    )
    assert forged.status_code == 403
    decided = gw.post(
        f"/{tenant}/contacts/{contact_id}/decision",
        data={"csrf_token": csrf, "outcome": "No Further Action", "reason": "Already safe."},
        follow_redirects=False,
    )
    assert decided.status_code == 303, decided.text
    audit = gw.get(f"/{tenant}/audit", params={"contact_id": contact_id})
    assert audit.status_code == 200
    assert "decide-contact" in audit.text
    out = gw.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert gw.get(f"/{tenant}/contacts", follow_redirects=False).status_code == 303
