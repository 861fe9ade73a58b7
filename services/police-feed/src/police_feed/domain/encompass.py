"""Operation Encompass: the rules of notifying a child's school after domestic abuse.

After a domestic abuse incident, police tell the designated safeguarding lead
of each child's school before the start of the next school day (the local
authority for a child not in school), with only what the guidance allows:
name, date of birth, police reference, date, time and place, whether the
child was present and what the child said. The school acknowledges; a
notification still unacknowledged at ``notify_by`` is overdue.

An incident is never refused for what a notification lacks: the concern
reaches the hub whatever happens. A child whose school is not in the tenant's
directory (an out-of-area school, or a wrong URN) is notified through the
local authority, with the stated URN kept and flagged; a notification that
cannot be made (no date of birth, which the guidance requires; nowhere to
route it) is **held** with its reason for the police to complete. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub_agency.domain import Rejected
from hub_contracts.events import OperationEncompassNotified, OperationEncompassOverdue
from hub_service.clock import next_school_day_start

from police_feed.domain.incidents import ChildInvolved, IncidentKind, PoliceIncident


class NotificationStatus(StrEnum):
    """Where an Operation Encompass notification stands."""

    AWAITING_ACKNOWLEDGEMENT = "awaiting-acknowledgement"
    ACKNOWLEDGED = "acknowledged"
    OVERDUE = "overdue"
    """Not acknowledged by ``notify_by``; an acknowledgement may still follow (late)."""
    HELD = "held"
    """Could not be sent (see ``held_reason``): the police must complete and send it."""


SCHOOL_NOT_IN_DIRECTORY = "school-not-in-directory"
"""Flag: the stated school is not in the tenant's directory; the LA was notified instead."""


def needs_encompass(incident: PoliceIncident) -> bool:
    """Operation Encompass follows every domestic abuse incident involving a child."""
    return incident.incident_kind is IncidentKind.DOMESTIC_ABUSE


def notification_id(incident: PoliceIncident, index: int) -> str:
    """The police id of the notification for the ``index``-th child (from 0); acks quote it."""
    return f"{incident.record_id}-OE{index + 1}"


def missing_date_of_birth(incident: PoliceIncident, index: int) -> Rejected | None:
    """Why the ``index``-th child's notification cannot be made: a school cannot match a
    child without a date of birth, and the guidance requires it."""
    involved = incident.children[index]
    if involved.child.date_of_birth is not None:
        return None
    return _no_date_of_birth(index, involved)


def _no_date_of_birth(index: int, involved: ChildInvolved) -> Rejected:
    return Rejected(
        "date-of-birth-required",
        f"children[{index}] ({involved.person_id}) has no date_of_birth; Operation "
        "Encompass needs it to notify the school of a domestic abuse incident",
    )


@dataclass(frozen=True)
class EncompassPlan:
    """What happens to one child's notification: sent (``notice``) or held (``held``)."""

    notice: OperationEncompassNotified | None
    held: Rejected | None
    """Why it could not be sent; the police complete it."""
    stated_school_urn: str | None
    """The school the police named, kept even when it could not be used."""
    flags: tuple[str, ...] = ()


def plan_notification(
    incident: PoliceIncident,
    index: int,
    local_authority_code: str | None,
    known_schools: Collection[str],
) -> EncompassPlan:
    """The ``index``-th child's notification, routed or held; never a refusal of the incident.

    A school not in ``known_schools`` is replaced by the local authority (its
    Operation Encompass lead passes the notification to the child's school),
    and flagged.
    """
    involved = incident.children[index]
    stated = involved.school_urn
    flags: tuple[str, ...] = ()
    route = involved
    if stated is not None and stated not in known_schools:
        flags = (SCHOOL_NOT_IN_DIRECTORY,)
        route = involved.model_copy(update={"school_urn": None})
    held = missing_date_of_birth(incident, index)
    if held is not None:
        return EncompassPlan(None, held, stated, flags)
    routed = incident.model_copy(
        update={"children": [*incident.children[:index], route, *incident.children[index + 1 :]]}
    )
    try:
        notice = encompass_notification(routed, index, local_authority_code)
    except Rejected as nowhere:  # no school and no LA number configured for the tenant
        return EncompassPlan(None, nowhere, stated, flags)
    return EncompassPlan(notice, None, stated, flags)


def notify_by(incident: PoliceIncident) -> datetime:
    """Before the start of the next school day after the incident (weekends included)."""
    return next_school_day_start(incident.occurred_at)


def encompass_notification(
    incident: PoliceIncident, index: int, local_authority_code: str | None
) -> OperationEncompassNotified:
    """The notification for one child: exactly the fields the guidance allows, no more.

    ``local_authority_code`` is the tenant's DfE number (its reference data),
    needed only for a child not in school (the LA is notified instead of a school).
    """
    involved: ChildInvolved = incident.children[index]
    child = involved.child
    if child.date_of_birth is None:
        raise _no_date_of_birth(index, involved)
    if involved.school_urn is None and local_authority_code is None:
        raise Rejected(
            "unknown-local-authority",
            f"children[{index}] is not in school and no DfE local authority number is "
            "configured for this tenant",
        )
    return OperationEncompassNotified(
        notification_id=notification_id(incident, index),
        police_reference=incident.record_id,
        child_given_name=child.given_name,
        child_family_name=child.family_name,
        child_date_of_birth=child.date_of_birth,
        incident_at=incident.occurred_at,
        incident_place=incident.place,
        child_present=involved.present,
        child_said=involved.child_said,
        school_urn=involved.school_urn,
        local_authority_code=None if involved.school_urn else local_authority_code,
        notify_by=notify_by(incident),
    )


def acknowledged_in_time(acknowledged_at: datetime, deadline: datetime) -> bool:
    """Whether the school acknowledged before the start of the school day."""
    return acknowledged_at <= deadline


def is_overdue(status: NotificationStatus, deadline: datetime, now: datetime) -> bool:
    """Still awaiting acknowledgement once the school day has started."""
    return status is NotificationStatus.AWAITING_ACKNOWLEDGEMENT and now > deadline


def overdue_notice(
    *,
    notification: str,
    police_reference: str,
    school_urn: str | None,
    local_authority_code: str | None,
    deadline: datetime,
    detected_at: datetime,
) -> OperationEncompassOverdue:
    """The breach the police publish once for an unacknowledged notification."""
    return OperationEncompassOverdue(
        notification_id=notification,
        police_reference=police_reference,
        school_urn=school_urn,
        local_authority_code=None if school_urn else local_authority_code,
        notify_by=deadline,
        detected_at=detected_at,
    )
