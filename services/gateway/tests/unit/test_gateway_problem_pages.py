"""The one problem handler (``entrypoints.problems``): a problem on a page route is a
GOV.UK error page for whoever is signed in (or a trip to sign in), the JSON API keeps
answering RFC 9457 problem details; and the sign-in page's lockout message. Against
fakes: no I/O."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from gateway.entrypoints.pages.home import lockout_message
from gateway.settings import GatewaySettings
from hub_service.problems import PROBLEM_JSON, ProblemError

CONTACT = "/v1/hartlepool/contacts/C-1"


def _h1(page: str) -> str:
    return page.split('<h1 class="govuk-heading-l">')[1].split("</h1>")[0]


def test_a_refusal_on_a_page_is_the_error_page_for_whoever_is_signed_in(hub: Any) -> None:
    hub.sign_in("practitioner")
    page = hub.client.get("/stockton/contacts")
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert _h1(page.text) == "You cannot see this"
    assert "not permitted to view-queue in this tenant" in page.text
    assert "Sign out Practitioner of hartlepool" in page.text  # the header still knows them
    assert 'href="/hartlepool/contacts"' in page.text  # and their navigation


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (404, "Page not found"),
        (409, "This has already been done"),
        (502, "Sorry, there is a problem with the service"),
        (429, "There is a problem"),
    ],
)
def test_the_error_page_says_what_kind_of_problem_it_is(hub: Any, status: int, title: str) -> None:
    hub.sign_in("practitioner")
    hub.front_door.answers["GET", CONTACT] = ProblemError(status, "some-reason", "what happened")
    page = hub.client.get("/hartlepool/contacts/C-1")
    assert page.status_code == status
    assert _h1(page.text) == title
    assert "what happened" in page.text


def test_the_api_keeps_answering_problem_details(hub: Any) -> None:
    hub.sign_in("practitioner")
    hub.front_door.answers["GET", CONTACT] = ProblemError(404, "contact-not-found", "no C-1")
    answer = hub.client.get("/api/v1/hartlepool/contacts/C-1")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.json() == {
        "type": "urn:childrenshub:problem:contact-not-found",
        "title": "Contact not found",
        "status": 404,
        "reason": "contact-not-found",
        "detail": "no C-1",
        "errors": [],
    }
    refused = hub.client.get("/api/v1/stockton/contacts")
    assert refused.headers["content-type"] == PROBLEM_JSON


def test_a_page_problem_raised_by_the_route_itself_is_a_page_too(hub: Any) -> None:
    hub.sign_in("manager")
    page = hub.client.get("/hartlepool/audit")  # no contact id given
    assert page.status_code == 404
    assert _h1(page.text) == "Page not found"
    assert "enter a contact id on the start page" in page.text


def test_a_decision_the_front_door_finds_incomplete_stays_on_the_form(hub: Any) -> None:
    csrf = hub.sign_in("manager")
    hub.front_door.answers["POST", f"{CONTACT}/decision"] = ProblemError(
        422, "primary-need-required", "a CIN referral needs a primary need"
    )
    form = {"csrf_token": csrf, "outcome": "CIN Referral", "reason": "Needs assessment."}
    page = hub.client.post("/hartlepool/contacts/C-1/decision", data=form)
    assert page.status_code == 422
    assert _h1(page.text) == "Record a decision"
    assert 'href="#primary_need"' in page.text
    assert "a CIN referral needs a primary need" in page.text


def test_a_locked_username_is_told_the_configured_window(make_hub: Any) -> None:
    hub = make_hub(GatewaySettings(dev_http=True, lockout_window_minutes=30))
    hub.sign_ins.failures = [hub.now - timedelta(minutes=m) for m in (1, 2, 3, 4, 25)]
    form = hub.client.get("/sign-in")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    locked = hub.client.post(
        "/sign-in", data={"csrf_token": token, "username": "someone", "password": "right"}
    )
    assert locked.status_code == 429
    assert "Too many failed attempts: try again in 30 minutes" in locked.text
    assert hub.sign_ins.events == ["sign-in-refused-locked"]


def test_the_lockout_message_reads_naturally() -> None:
    assert lockout_message(15) == "Too many failed attempts: try again in 15 minutes"
    assert lockout_message(1) == "Too many failed attempts: try again in 1 minute"
