"""Operation Encompass at the school: a notification, its status, the DSL's acknowledgement.

Pure rules (no I/O). The police own the notification and the deadline; the
school only reads it and says so. Nothing is ever dropped: a notification for
a URN that is not one of the tenant's schools is kept as ``unknown-school`` so
the local authority sees it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from hub_contracts.events.common import URN_PATTERN
from hub_contracts.events.notifications import AcknowledgerRole
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class NotificationStatus(StrEnum):
    """Where a notification stands at education."""

    AWAITING_ACKNOWLEDGEMENT = "awaiting-acknowledgement"
    ACKNOWLEDGED = "acknowledged"
    OVERDUE = "overdue"
    """The police found no acknowledgement before the start of the school day."""
    UNKNOWN_SCHOOL = "unknown-school"
    """Addressed to a URN that is not one of the tenant's schools: the LA follows it up."""
    NOT_IN_SCHOOL = "not-in-school"
    """No school URN (the police notified the local authority instead)."""


class Acknowledgement(BaseModel):
    """The designated safeguarding lead (or deputy, head, LA officer) has read it."""

    model_config = ConfigDict(frozen=True)

    acknowledged_at: AwareDatetime = Field(description="When it was acknowledged.")
    acknowledged_by_role: AcknowledgerRole = Field(description="The role that acknowledged it.")
    school_urn: str | None = Field(description="The acknowledging school's URN.")
    acknowledged_by: str = Field(description="The agency system that recorded it.")
    event_id: str = Field(description="Id of the operation-encompass-acknowledged event.")


class EncompassNotification(BaseModel):
    """An Operation Encompass notification as education keeps it for the school."""

    model_config = ConfigDict(frozen=True)

    notification_id: str = Field(description="Police id for this notification; acks quote it.")
    police_reference: str | None = Field(description="The police incident reference.")
    child_given_name: str | None = Field(description="The child's given name.")
    child_family_name: str | None = Field(description="The child's family name.")
    child_date_of_birth: date | None = Field(description="The child's date of birth.")
    incident_at: AwareDatetime | None = Field(description="Date and time of the incident.")
    incident_place: str | None = Field(description="Where it happened, in general terms.")
    child_present: bool | None = Field(description="Whether the child was present.")
    child_said: str | None = Field(default=None, description="What the child said, if anything.")
    school_urn: str | None = Field(description="URN of the school notified; absent if none.")
    school_known: bool = Field(description="Whether the URN is one of this tenant's schools.")
    notify_by: AwareDatetime = Field(description="Deadline: the start of the next school day.")
    received_at: AwareDatetime = Field(description="When education received it.")
    status: NotificationStatus = Field(description="Where the notification stands.")
    overdue_detected_at: AwareDatetime | None = Field(
        default=None, description="When the police found it overdue, if they did."
    )
    acknowledgement: Acknowledgement | None = Field(
        default=None, description="The acknowledgement, once given."
    )
    subject: str = Field(description="Subject (partition key) of the police notification.")
    event_id: str = Field(description="Id of the operation-encompass-notified event.")

    @classmethod
    def received(
        cls,
        data: dict[str, Any],
        *,
        school_known: bool,
        received_at: datetime,
        subject: str,
        event_id: str,
        overdue_detected_at: datetime | None = None,
    ) -> EncompassNotification:
        """A notification as the policy let education see it (withheld fields absent)."""
        kept = {k: data.get(k) for k in _NOTIFIED_FIELDS}
        draft = cls.model_validate(
            {
                **kept,
                "school_known": school_known,
                "received_at": received_at,
                "status": NotificationStatus.AWAITING_ACKNOWLEDGEMENT,
                "overdue_detected_at": overdue_detected_at,
                "subject": subject,
                "event_id": event_id,
            }
        )
        return draft.with_status()

    def with_status(self) -> EncompassNotification:
        """The same notification with its status derived from what is known about it."""
        return self.model_copy(update={"status": status_of(self)})

    def overdue(self, detected_at: datetime) -> EncompassNotification:
        """The police say no acknowledgement reached them in time (kept once, first wins)."""
        if self.overdue_detected_at is not None:
            return self
        return self.model_copy(update={"overdue_detected_at": detected_at}).with_status()

    def acknowledged(self, acknowledgement: Acknowledgement) -> EncompassNotification:
        return self.model_copy(update={"acknowledgement": acknowledgement}).with_status()


_NOTIFIED_FIELDS = (
    "notification_id",
    "police_reference",
    "child_given_name",
    "child_family_name",
    "child_date_of_birth",
    "incident_at",
    "incident_place",
    "child_present",
    "child_said",
    "school_urn",
    "notify_by",
)


def status_of(notification: EncompassNotification) -> NotificationStatus:
    """Acknowledged beats everything; a notification no school of ours can read stays with the
    LA (unknown school, or not in school); otherwise overdue once the police say so."""
    if notification.acknowledgement is not None:
        return NotificationStatus.ACKNOWLEDGED
    if notification.school_urn is None:
        return NotificationStatus.NOT_IN_SCHOOL
    if not notification.school_known:
        return NotificationStatus.UNKNOWN_SCHOOL
    if notification.overdue_detected_at is not None:
        return NotificationStatus.OVERDUE
    return NotificationStatus.AWAITING_ACKNOWLEDGEMENT


class AcknowledgementRequest(BaseModel):
    """The DSL's acknowledgement of a notification to their school."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    acknowledged_by_role: AcknowledgerRole = Field(description="Who at the school read it.")
    school_urn: str | None = Field(
        pattern=URN_PATTERN,
        description="URN of the acknowledging school: must be the school notified (null only "
        "for a notification with no school, acknowledged by the local authority).",
    )


class AcknowledgementRefused(Exception):
    """The acknowledgement does not fit the notification."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def check_acknowledgement(
    notification: EncompassNotification, request: AcknowledgementRequest
) -> None:
    """Only the school notified may acknowledge; what no school of ours can read (unknown
    school, not in school) is acknowledged by the LA's education safeguarding officer."""
    if request.school_urn != notification.school_urn:
        raise AcknowledgementRefused(
            "wrong-school",
            f"notification {notification.notification_id} was not sent to school "
            f"{request.school_urn}",
        )
    la_only = notification.school_urn is None or not notification.school_known
    if la_only and request.acknowledged_by_role is not AcknowledgerRole.LA_EDUCATION_SAFEGUARDING:
        raise AcknowledgementRefused(
            "la-acknowledgement-required",
            f"notification {notification.notification_id} is not for one of this tenant's "
            "schools; the local authority's education safeguarding officer acknowledges it",
        )


class AcknowledgementOutcome(BaseModel):
    """The answer to an acknowledgement: the (first) acknowledgement and whether it is new."""

    notification_id: str = Field(description="The notification acknowledged.")
    outcome: Literal["acknowledged", "already-acknowledged"] = Field(
        description="'acknowledged' the first time; 'already-acknowledged' after that, with "
        "the first acknowledgement (no second event)."
    )
    acknowledgement: Acknowledgement = Field(description="The first acknowledgement.")
