"""Social care statuses of a child: the rules of starting and ending them, and what is told.

Pure: no I/O. A child has at most one open status of each kind (child in
need, child protection plan, looked after); a status is started once and
ended once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub_agency.domain import Rejected
from hub_contracts.codes import CategoryOfAbuse, CinClosureReason
from hub_contracts.events.common import ResponsibleAuthority, StatusKind

STATUS_NAMES: dict[StatusKind, str] = {
    StatusKind.CHILD_IN_NEED: "child in need",
    StatusKind.CHILD_PROTECTION_PLAN: "child protection plan",
    StatusKind.LOOKED_AFTER: "looked after",
}
"""How each status is named to other agencies (never with the category of abuse)."""


def category_code(value: Any) -> Any:
    """The code-list value of a category of abuse given in any case ('neglect' -> 'Neglect').

    Case management systems differ in how they case the SSD095 values; anything
    that is not one of them is left for validation to refuse.
    """
    if isinstance(value, str):
        wanted = " ".join(value.split()).casefold()
        for category in CategoryOfAbuse:
            if wanted == category.value.casefold():
                return category.value
    return value


def status_change_errors(
    *,
    status_kind: StatusKind,
    change: str,
    started_on: date,
    ended_on: date | None,
    category_of_abuse: CategoryOfAbuse | None,
    closure_reason: CinClosureReason | None,
) -> list[str]:
    """What is inconsistent in a status change, in words (empty when it is consistent)."""
    errors = []
    ended = change == "ended"
    if ended != (ended_on is not None):
        errors.append("ended_on is required when, and only when, the status ended")
    if ended_on is not None and ended_on < started_on:
        errors.append("ended_on is before started_on")
    is_cp = status_kind is StatusKind.CHILD_PROTECTION_PLAN
    if is_cp and not ended and category_of_abuse is None:
        errors.append("a child protection plan needs its category_of_abuse")
    if not is_cp and category_of_abuse is not None:
        errors.append("category_of_abuse belongs to child protection plans only")
    if closure_reason is not None and not (ended and status_kind is StatusKind.CHILD_IN_NEED):
        errors.append("closure_reason belongs to the end of a child-in-need status only")
    return errors


@dataclass(frozen=True)
class Status:
    """One status of a child as social care holds it (open when ``ended_on`` is None)."""

    person_id: str
    status_kind: StatusKind
    case_id: str
    started_on: date
    started_change_id: str
    category_of_abuse: CategoryOfAbuse | None = None
    ended_on: date | None = None
    ended_change_id: str | None = None
    closure_reason: CinClosureReason | None = None

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def to_document(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "status_kind": self.status_kind.value,
            "case_id": self.case_id,
            "started_on": self.started_on.isoformat(),
            "started_change_id": self.started_change_id,
            "category_of_abuse": self.category_of_abuse.value if self.category_of_abuse else None,
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
            "ended_change_id": self.ended_change_id,
            "closure_reason": self.closure_reason.value if self.closure_reason else None,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Status:
        return cls(
            person_id=doc["person_id"],
            status_kind=StatusKind(doc["status_kind"]),
            case_id=doc["case_id"],
            started_on=date.fromisoformat(doc["started_on"]),
            started_change_id=doc["started_change_id"],
            category_of_abuse=(
                CategoryOfAbuse(doc["category_of_abuse"]) if doc.get("category_of_abuse") else None
            ),
            ended_on=date.fromisoformat(doc["ended_on"]) if doc.get("ended_on") else None,
            ended_change_id=doc.get("ended_change_id"),
            closure_reason=(
                CinClosureReason(doc["closure_reason"]) if doc.get("closure_reason") else None
            ),
        )


def start(
    current: Status | None,
    *,
    person_id: str,
    status_kind: StatusKind,
    case_id: str,
    started_on: date,
    change_id: str,
    category_of_abuse: CategoryOfAbuse | None,
) -> Status:
    """The status opened by a start; refused when one of that kind is already open."""
    if current is not None and current.is_open:
        raise Rejected(
            "status-already-open",
            f"{status_kind.value} is already open for {person_id} "
            f"(change {current.started_change_id}); end it before starting another",
            status=409,
        )
    return Status(
        person_id=person_id,
        status_kind=status_kind,
        case_id=case_id,
        started_on=started_on,
        started_change_id=change_id,
        category_of_abuse=category_of_abuse,
    )


def end(
    current: Status | None,
    *,
    person_id: str,
    status_kind: StatusKind,
    started_on: date,
    ended_on: date,
    change_id: str,
    category_of_abuse: CategoryOfAbuse | None,
    closure_reason: CinClosureReason | None,
) -> Status:
    """The status closed by an end; refused when none of that kind is open, or another is."""
    if current is None or not current.is_open:
        raise Rejected(
            "status-not-open",
            f"no {status_kind.value} is open for {person_id}",
            status=409,
        )
    if current.started_on != started_on:
        raise Rejected(
            "started-on-mismatch",
            f"the open {status_kind.value} of {person_id} started on "
            f"{current.started_on.isoformat()}, not {started_on.isoformat()}",
            status=409,
        )
    return Status(
        person_id=current.person_id,
        status_kind=current.status_kind,
        case_id=current.case_id,
        started_on=current.started_on,
        started_change_id=current.started_change_id,
        category_of_abuse=category_of_abuse or current.category_of_abuse,
        ended_on=ended_on,
        ended_change_id=change_id,
        closure_reason=closure_reason,
    )


def responsible_authority(contacts: Mapping[str, Any] | None, tenant: str) -> ResponsibleAuthority:
    """The tenant's authority, from its ``authority_contacts`` reference document.

    The reference document says ``authority``, ``la_code``, ``daytime_phone``
    and ``out_of_hours_phone``; a missing or malformed one refuses the change
    (503: the service, not the record, is at fault).
    """
    if contacts is None:
        raise Rejected(
            "authority-contacts-missing",
            f"no authority_contacts reference data for tenant {tenant!r}",
            status=503,
        )
    try:
        return ResponsibleAuthority(
            name=contacts["authority"],
            la_code=contacts["la_code"],
            in_hours_phone=contacts["daytime_phone"],
            out_of_hours_phone=contacts["out_of_hours_phone"],
        )
    except (KeyError, ValueError) as exc:
        raise Rejected(
            "authority-contacts-invalid",
            f"authority_contacts of tenant {tenant!r} lack a valid authority, la_code or phone",
            status=503,
        ) from exc


def status_summary(status: Status) -> str:
    """How a status is told in an enquiry answer: kind and dates, never the category of abuse."""
    name = STATUS_NAMES[status.status_kind]
    if status.is_open:
        return f"Current {name} since {status.started_on.isoformat()}."
    assert status.ended_on is not None
    return f"Past {name}, {status.started_on.isoformat()} to {status.ended_on.isoformat()}."
