"""Authorisation as data: which role may do which action, and see which fields.

Pure rules, no I/O. The gateway checks them before calling the front door,
and the front door checks tenant and role again on the staff token, so a
mistake here does not open the data (defence in depth).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from hub_service.staff import Role

from gateway.domain.users import Principal


class Action(StrEnum):
    """Everything a user can do to a tenant's children's records through the gateway."""

    VIEW_QUEUE = "view-queue"
    VIEW_CONTACT = "view-contact"
    VIEW_ENQUIRIES = "view-enquiries"
    RATE_CONTACT = "rate-contact"
    DECIDE_CONTACT = "decide-contact"
    VIEW_ACCESS_AUDIT = "view-access-audit"


PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.VIEW_QUEUE: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.VIEW_CONTACT: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.VIEW_ENQUIRIES: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.RATE_CONTACT: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.DECIDE_CONTACT: frozenset({Role.MANAGER}),
    Action.VIEW_ACCESS_AUDIT: frozenset({Role.MANAGER, Role.AUDITOR}),
}
"""Who may do what. Agency liaisons see nothing of a child through the gateway until
the front door grants them an enquiry route of their own (see the README)."""


class Refusal(StrEnum):
    TENANT = "tenant-not-permitted"
    ROLE = "role-not-permitted"


def refusal(principal: Principal, tenant: str, action: Action) -> Refusal | None:
    """Why ``principal`` may not do ``action`` in ``tenant``, or None when they may."""
    if tenant not in principal.tenants:
        return Refusal.TENANT
    if not principal.roles & PERMISSIONS[action]:
        return Refusal.ROLE
    return None


def allowed_actions(principal: Principal, tenant: str) -> set[Action]:
    """The actions the user may take in ``tenant`` (for showing only what they can use)."""
    return {a for a in Action if refusal(principal, tenant, a) is None}


# Need-to-know, per field. A contact's enquiry answers (what each agency holds)
# are for the people screening and deciding; the access audit names staff and
# records, never the child's details.
ENQUIRY_FIELDS_ALL = frozenset(
    {
        "enquiry_id",
        "agency",
        "status",
        "requested_at",
        "respond_by",
        "answered_at",
        "late",
        "overdue",
        "answer",
        "answered_by",
        "answered_by_role",
        "contact_id",
    }
)
ENQUIRY_STATUS_ONLY = frozenset(
    {
        "enquiry_id",
        "agency",
        "status",
        "requested_at",
        "respond_by",
        "answered_at",
        "late",
        "overdue",
        "contact_id",
    }
)


def enquiry_fields(principal: Principal) -> frozenset[str]:
    """Which enquiry fields the user may see: answers only for screeners and deciders."""
    if principal.has(Role.PRACTITIONER, Role.MANAGER):
        return ENQUIRY_FIELDS_ALL
    return ENQUIRY_STATUS_ONLY


def only(doc: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """``doc`` with only ``fields`` (missing ones left out)."""
    keep = set(fields)
    return {k: v for k, v in doc.items() if k in keep}
