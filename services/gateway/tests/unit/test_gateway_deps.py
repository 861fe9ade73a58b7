"""The routes' dependencies (``entrypoints.deps``) and the one step every action takes
(``service_layer.acting``): who is signed in, the CSRF checks, the tenant and purpose
an action is taken in and for, and that it is authorised before the front door is
asked and audited once done. Against fakes: no I/O."""

from __future__ import annotations

from typing import Any

import pytest
from gateway.domain.access import Action
from gateway.service_layer.acting import Actor
from hub_service.problems import ProblemError

QUEUE_ITEM = {
    "contact_id": "C-1",
    "status": "awaiting-screening",
    "rag_rating": "red",
    "received_at": "2026-11-24T08:00:00+00:00",
    "deadline": "2026-11-24T12:00:00+00:00",
    "seconds_left": 3 * 3600,
    "child_name": "Amelia Hart",
    "referral_source": "police",
    "origin_agency": "police",
}


def test_the_api_acts_in_the_path_tenant_for_the_stated_purpose_and_audits_it(hub: Any) -> None:
    hub.sign_in("practitioner")
    hub.front_door.answers["GET", "/v1/hartlepool/contacts"] = [QUEUE_ITEM]
    answer = hub.client.get(
        "/api/v1/hartlepool/contacts", headers={"X-Hub-Purpose": "multi-agency-enquiry"}
    )
    assert answer.status_code == 200, answer.text
    assert [r["contact_id"] for r in answer.json()] == ["C-1"]
    assert hub.front_door.calls == [
        ("u-hartlepool-practitioner", "GET", "/v1/hartlepool/contacts", "multi-agency-enquiry")
    ]
    [entry] = hub.audit()
    assert (entry["action"], entry["purpose"], entry["outcome"]) == (
        "view-queue",
        "multi-agency-enquiry",
        "done",
    )
    assert entry["detail"] == {"contacts": 1}


def test_pages_look_for_safeguarding_screening(hub: Any) -> None:
    hub.sign_in("practitioner")
    hub.front_door.answers["GET", "/v1/hartlepool/contacts"] = [QUEUE_ITEM]
    page = hub.client.get("/hartlepool/contacts")
    assert page.status_code == 200
    assert "Amelia Hart" in page.text
    assert [c[3] for c in hub.front_door.calls] == ["safeguarding-screening"]


def test_without_a_session_the_api_answers_401_and_a_page_sends_the_browser_to_sign_in(
    hub: Any,
) -> None:
    answer = hub.client.get("/api/v1/hartlepool/contacts")
    assert (answer.status_code, answer.json()["reason"]) == (401, "unauthenticated")
    page = hub.client.get("/hartlepool/contacts/C-1", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=/hartlepool/contacts/C-1"
    posted = hub.client.post(
        "/hartlepool/contacts/C-1/rating", data={"rag_rating": "red"}, follow_redirects=False
    )
    assert posted.headers["location"] == "/sign-in?next=/hartlepool/contacts/C-1/rating"
    assert hub.front_door.calls == []


def test_an_unknown_purpose_is_refused_before_the_front_door_is_asked(hub: Any) -> None:
    hub.sign_in("practitioner")
    answer = hub.client.get("/api/v1/hartlepool/contacts", headers={"X-Hub-Purpose": "curiosity"})
    assert (answer.status_code, answer.json()["reason"]) == (422, "unknown-purpose")
    assert hub.front_door.calls == []


def test_a_state_changing_call_needs_the_sessions_csrf_header(hub: Any) -> None:
    csrf = hub.sign_in("practitioner")
    hub.front_door.answers["POST", "/v1/hartlepool/contacts/C-1/rating"] = {"person_id": "HP-1"}
    rating = {"rag_rating": "red", "rationale": "Repeat incidents."}
    url = "/api/v1/hartlepool/contacts/C-1/rating"
    for token in (None, "forged"):
        headers = {"X-CSRF-Token": token} if token else {}
        refused = hub.client.post(url, json=rating, headers=headers)
        assert (refused.status_code, refused.json()["reason"]) == (403, "csrf-token-invalid")
    assert hub.front_door.calls == []
    rated = hub.client.post(url, json=rating, headers={"X-CSRF-Token": csrf})
    assert rated.status_code == 200, rated.text
    [entry] = hub.audit()
    assert (entry["action"], entry["contact_id"], entry["person_id"]) == (
        "rate-contact",
        "C-1",
        "HP-1",
    )
    assert entry["detail"] == {"rag_rating": "red"}


def test_a_posted_page_form_needs_the_sessions_csrf_token_and_must_be_a_form(hub: Any) -> None:
    hub.sign_in("practitioner")
    form = {"rag_rating": "red", "rationale": "Repeat incidents.", "csrf_token": "forged"}
    forged = hub.client.post("/hartlepool/contacts/C-1/rating", data=form)
    assert forged.status_code == 403
    assert "You cannot see this" in forged.text
    as_json = hub.client.post("/hartlepool/contacts/C-1/rating", json=form)
    assert as_json.status_code == 415
    assert "There is a problem" in as_json.text
    assert hub.front_door.calls == []


def test_a_role_refused_is_audited_and_never_reaches_the_front_door(hub: Any) -> None:
    hub.sign_in("auditor")
    refused = hub.client.get("/api/v1/hartlepool/contacts")
    assert (refused.status_code, refused.json()["reason"]) == (403, "role-not-permitted")
    [entry] = hub.audit()
    assert (entry["user_id"], entry["action"], entry["outcome"]) == (
        "u-hartlepool-auditor",
        "view-queue",
        "role-not-permitted",
    )
    assert hub.front_door.calls == []


def test_another_tenant_is_refused_and_the_refusal_audited_in_that_tenant(hub: Any) -> None:
    hub.sign_in("manager")
    refused = hub.client.get("/api/v1/stockton/contacts/C-9")
    assert (refused.status_code, refused.json()["reason"]) == (403, "tenant-not-permitted")
    assert [(e["action"], e["contact_id"], e["outcome"]) for e in hub.audit("stockton")] == [
        ("view-contact", "C-9", "tenant-not-permitted")
    ]
    assert hub.audit() == []
    # a tenant the deployment does not have: refused, and nowhere to audit it
    assert hub.client.get("/api/v1/nowhere/contacts").json()["reason"] == "tenant-not-permitted"


async def test_a_front_door_refusal_passes_through_and_leaves_no_done_entry(hub: Any) -> None:
    principal = _principal(hub, "practitioner")
    actor = Actor(hub.gw, principal, "hartlepool", "safeguarding-screening")
    hub.front_door.answers["GET", "/v1/hartlepool/contacts/C-X"] = ProblemError(
        404, "contact-not-found", "no contact C-X"
    )
    with pytest.raises(ProblemError) as refused:
        async with actor.doing(Action.VIEW_CONTACT, contact_id="C-X"):
            await actor.call("GET", actor.path("contacts", "C-X"))
    assert refused.value.reason == "contact-not-found"
    assert hub.audit() == []


async def test_doing_audits_what_the_step_filled_in_once_it_is_done(hub: Any) -> None:
    actor = Actor(hub.gw, _principal(hub, "manager"), "hartlepool", "referral")
    async with actor.doing(Action.UNLINK_PERSON, person_id="HP-2", detail={"a": 1}) as done:
        assert hub.audit() == []  # nothing until the step is done
        done.detail["change_id"] = "CH-1"
    [entry] = hub.audit()
    assert (entry["action"], entry["person_id"], entry["purpose"]) == (
        "unlink-person",
        "HP-2",
        "referral",
    )
    assert entry["detail"] == {"a": 1, "change_id": "CH-1"}
    assert entry["at"] == hub.now


def test_front_door_paths_escape_every_segment(hub: Any) -> None:
    actor = Actor(hub.gw, _principal(hub, "manager"), "hartlepool", "referral")
    assert actor.path("contacts", "C/1?x", "rating") == "/v1/hartlepool/contacts/C%2F1%3Fx/rating"


def _principal(hub: Any, role: str) -> Any:
    hub.sign_in(role)
    [session] = hub.sessions.by_cookie.values()
    return session.principal
