"""Operation Encompass: the rules of notifying a child's school after domestic abuse.

After a domestic abuse incident, police tell the designated safeguarding lead
of each child's school before the start of the next school day (the local
authority for a child not in school), with only what the guidance allows:
name, date of birth, police reference, date, time and place, whether the
child was present and what the child said. The school acknowledges; a
notification still unacknowledged at ``notify_by`` is overdue. Pure: no I/O.
"""

from __future__ import annotations

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


def needs_encompass(incident: PoliceIncident) -> bool:
    """Operation Encompass follows every domestic abuse incident involving a child."""
    return incident.incident_kind is IncidentKind.DOMESTIC_ABUSE


def notification_id(incident: PoliceIncident, index: int) -> str:
    """The police id of the notification for the ``index``-th child (from 0); acks quote it."""
    return f"{incident.record_id}-OE{index + 1}"


def check_notifiable(incident: PoliceIncident) -> None:
    """Refuse a domestic abuse incident whose notifications could not be made lawfully whole.

    A school cannot match a child without a date of birth, and the guidance
    requires it, so the police system must send it.
    """
    if not needs_encompass(incident):
        return
    for index, involved in enumerate(incident.children):
        if involved.child.date_of_birth is None:
            raise _no_date_of_birth(index, involved)


def _no_date_of_birth(index: int, involved: ChildInvolved) -> Rejected:
    return Rejected(
        "date-of-birth-required",
        f"children[{index}] ({involved.person_id}) has no date_of_birth; Operation "
        "Encompass needs it to notify the school of a domestic abuse incident",
    )


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
