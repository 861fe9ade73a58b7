"""Authorisation as data: which role may do which action, and see which fields.

Pure rules, no I/O. The gateway checks them before calling the front door,
and the front door checks tenant and role again on the staff token, so a
mistake here does not open the data (defence in depth).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from hub_service.users import Role

from gateway.domain.users import Principal


class Action(StrEnum):
    """Everything a user can do to a tenant's children's records through the gateway."""

    VIEW_QUEUE = "view-queue"
    VIEW_CONTACT = "view-contact"
    VIEW_ENQUIRIES = "view-enquiries"
    RATE_CONTACT = "rate-contact"
    DECIDE_CONTACT = "decide-contact"
    VIEW_ACCESS_AUDIT = "view-access-audit"
    VIEW_ENQUIRY_BOARD = "view-enquiry-board"
    REVIEW_DUPLICATES = "review-duplicates"
    REJECT_DUPLICATE = "reject-duplicate"
    CONFIRM_DUPLICATE = "confirm-duplicate"
    VIEW_PERSON = "view-person"
    UNLINK_PERSON = "unlink-person"
    RECORD_SHARING_DECISION = "record-sharing-decision"


PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.VIEW_QUEUE: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.VIEW_CONTACT: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.VIEW_ENQUIRIES: frozenset({Role.PRACTITIONER, Role.MANAGER, Role.AGENCY_LIAISON}),
    Action.RATE_CONTACT: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.DECIDE_CONTACT: frozenset({Role.MANAGER}),
    Action.VIEW_ACCESS_AUDIT: frozenset({Role.MANAGER, Role.AUDITOR}),
    Action.VIEW_ENQUIRY_BOARD: frozenset({Role.PRACTITIONER, Role.MANAGER, Role.AGENCY_LIAISON}),
    Action.REVIEW_DUPLICATES: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.REJECT_DUPLICATE: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.CONFIRM_DUPLICATE: frozenset({Role.MANAGER}),
    Action.VIEW_PERSON: frozenset({Role.PRACTITIONER, Role.MANAGER}),
    Action.UNLINK_PERSON: frozenset({Role.MANAGER}),
    Action.RECORD_SHARING_DECISION: frozenset({Role.MANAGER}),
}
"""Who may do what. Agency liaisons chase their agencies' answers: they read which
contacts are open, how long is left and which agencies have answered (enquiry status,
never the answers, the child's details or the joined-up view). Keeping two records
apart (reject) is the safe direction, so practitioners may; joining or un-joining
records, and sharing without consent, are a manager's call (as at the front door)."""


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


# A potential duplicate: the reviewer compares two records field by field, so they see
# the fields the matcher compared and how each agreed, and nothing else (no NHS
# number, only whether there is one; no address, only the postcode).
CANDIDATE_FIELDS = frozenset(
    {
        "candidate_id",
        "new_person_id",
        "existing_person_id",
        "score",
        "evidence",
        "status",
        "suggested_at",
        "decided_at",
        "decided_by",
        "reason",
    }
)
CANDIDATE_PERSON_FIELDS = frozenset(
    {
        "person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "postcode",
        "has_nhs_number",
        "merged_into",
    }
)


def candidate_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A candidate with only what a reviewer needs to compare the two records."""
    out = only(doc, CANDIDATE_FIELDS)
    for side in ("new_person", "existing_person"):
        person = doc.get(side)
        out[side] = only(person, CANDIDATE_PERSON_FIELDS) if isinstance(person, Mapping) else {}
    return out


def only(doc: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """``doc`` with only ``fields`` (missing ones left out)."""
    keep = set(fields)
    return {k: v for k, v in doc.items() if k in keep}
