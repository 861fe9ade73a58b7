"""Pure rules of the gateway: lockout, authorisation, need-to-know fields, time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from gateway.domain.access import (
    PERMISSIONS,
    Action,
    Refusal,
    allowed_actions,
    enquiry_fields,
    only,
    refusal,
)
from gateway.domain.lockout import locked_until
from gateway.domain.queue import time_left_text
from gateway.domain.users import Principal
from gateway.entrypoints.pages import _safe_next
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
        Action.RATE_CONTACT,
    }
    assert Action.DECIDE_CONTACT in allowed_actions(_user(Role.MANAGER), "hartlepool")
    assert allowed_actions(_user(Role.AUDITOR), "hartlepool") == {Action.VIEW_ACCESS_AUDIT}
    assert allowed_actions(_user(Role.AGENCY_LIAISON), "hartlepool") == set()
    assert refusal(_user(Role.PRACTITIONER), "hartlepool", Action.DECIDE_CONTACT) is Refusal.ROLE
    assert set(PERMISSIONS) == set(Action)


def test_enquiry_answers_are_only_for_screeners_and_deciders() -> None:
    enquiry = {"agency": "health", "status": "answered", "answer": {"kind": "nothing-held"}}
    assert "answer" in only(enquiry, enquiry_fields(_user(Role.PRACTITIONER)))
    assert only(enquiry, enquiry_fields(_user(Role.AGENCY_LIAISON))) == {
        "agency": "health",
        "status": "answered",
    }


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
