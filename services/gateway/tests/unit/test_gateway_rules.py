"""Pure rules of the gateway: lockout, authorisation, need-to-know fields, time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from gateway.domain.access import (
    PERMISSIONS,
    Action,
    Refusal,
    allowed_actions,
    candidate_view,
    enquiry_fields,
    only,
    refusal,
)
from gateway.domain.lockout import locked_until
from gateway.domain.queue import decided_text, time_left_text
from gateway.domain.users import Principal
from gateway.entrypoints.security import safe_next as _safe_next
from gateway.service_layer.contacts import clock_state
from gateway.settings import GatewaySettings
from hub_service.staff import Role

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def _user(*roles: Role, tenant: str = "hartlepool") -> Principal:
    return Principal(user_id="u1", display_name="U", roles=frozenset(roles), tenants={tenant})


def test_five_failures_in_fifteen_minutes_lock_until_the_oldest_leaves_the_window() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4, 14)]
    assert locked_until(failures, NOW, limit=5, window=WINDOW) == NOW + timedelta(minutes=1)
    assert locked_until(failures[:4], NOW, limit=5, window=WINDOW) is None
    old = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4, 16)]
    assert locked_until(old, NOW, limit=5, window=WINDOW) is None


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_no_role_reaches_another_tenant(role: Role, action: Action) -> None:
    assert refusal(_user(role), "stockton", action) is Refusal.TENANT


def test_roles_get_exactly_their_actions() -> None:
    assert allowed_actions(_user(Role.PRACTITIONER), "hartlepool") == {
        Action.VIEW_QUEUE,
        Action.VIEW_CONTACT,
        Action.VIEW_ENQUIRIES,
        Action.VIEW_ENQUIRY_BOARD,
        Action.RATE_CONTACT,
        Action.REVIEW_DUPLICATES,
        Action.REJECT_DUPLICATE,
        Action.VIEW_PERSON,
    }
    manager = allowed_actions(_user(Role.MANAGER), "hartlepool")
    assert {
        Action.DECIDE_CONTACT,
        Action.CONFIRM_DUPLICATE,
        Action.UNLINK_PERSON,
        Action.RECORD_SHARING_DECISION,
    } <= manager
    assert allowed_actions(_user(Role.AUDITOR), "hartlepool") == {Action.VIEW_ACCESS_AUDIT}
    # agency liaisons: enquiry status only, never the child's record
    assert allowed_actions(_user(Role.AGENCY_LIAISON), "hartlepool") == {
        Action.VIEW_ENQUIRIES,
        Action.VIEW_ENQUIRY_BOARD,
    }
    assert refusal(_user(Role.PRACTITIONER), "hartlepool", Action.DECIDE_CONTACT) is Refusal.ROLE
    assert set(PERMISSIONS) == set(Action)


def test_enquiry_answers_are_only_for_screeners_and_deciders() -> None:
    enquiry = {"agency": "health", "status": "answered", "answer": {"kind": "nothing-held"}}
    assert "answer" in only(enquiry, enquiry_fields(_user(Role.PRACTITIONER)))
    assert only(enquiry, enquiry_fields(_user(Role.AGENCY_LIAISON))) == {
        "agency": "health",
        "status": "answered",
    }


def test_a_duplicate_reviewer_sees_the_compared_fields_and_evidence_only() -> None:
    candidate = {
        "candidate_id": "PC-1",
        "score": 0.8,
        "evidence": {"given_name": "nickname", "nhs_number": "absent"},
        "pair": "HP-1|HP-2",
        "new_person": {
            "person_id": "HP-2",
            "given_name": "Katie",
            "postcode": "TS24 7AB",
            "nhs_number": "9434765919",
            "address": {"lines": ["12 Marine Drive"]},
            "has_nhs_number": True,
        },
    }
    shown = candidate_view(candidate)
    assert shown["evidence"] == {"given_name": "nickname", "nhs_number": "absent"}
    assert "pair" not in shown
    assert shown["new_person"] == {
        "person_id": "HP-2",
        "given_name": "Katie",
        "postcode": "TS24 7AB",
        "has_nhs_number": True,
    }
    assert shown["existing_person"] == {}


def test_a_decided_contact_has_no_running_clock() -> None:
    decided = {"status": "decided", "seconds_left": -999, "decision": {"decided_in_time": True}}
    assert clock_state(decided) == {
        "decided": True,
        "decided_in_time": True,
        "time_left": "decided in time",
    }
    late = {"status": "decided", "decision": {"decided_in_time": False}}
    assert clock_state(late)["time_left"] == "decided late"
    assert decided_text(None) == "decided"
    assert clock_state({"status": "enquiries-open", "seconds_left": 3600})["time_left"] == (
        "1 h 0 min left"
    )


def test_time_left_reads_naturally() -> None:
    assert time_left_text(3 * 3600 + 20 * 60 + 59) == "3 h 20 min left"
    assert time_left_text(-(65 * 60)) == "overdue by 1 h 5 min"
    assert time_left_text(26 * 3600) == "1 d 2 h 0 min left"
    assert time_left_text(59) == "0 min left"


def test_sign_in_only_redirects_within_the_site() -> None:
    assert _safe_next("/hartlepool/contacts") == "/hartlepool/contacts"
    assert _safe_next("//evil.example/x") == "/"
    assert _safe_next("https://evil.example") == "/"
    assert _safe_next(None) == "/"


def test_cookies_are_secure_unless_development_over_http_is_explicit() -> None:
    assert GatewaySettings().cookie_secure is True
    assert GatewaySettings(dev_http=True).cookie_secure is False


def test_times_read_as_govuk_pages_write_them_in_uk_time() -> None:
    from gateway.domain.dates import human_time

    assert human_time("2026-11-23T21:33:29.029000Z") == "23 November 2026 at 9:33pm"
    assert human_time("2026-06-17T07:00:00+00:00") == "17 June 2026 at 8am"  # BST
    assert human_time("2016-03-01") == "1 March 2016"
    assert human_time(None) == ""
    assert human_time("not a date") == "not a date"
