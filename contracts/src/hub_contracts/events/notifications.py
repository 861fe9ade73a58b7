"""Agency notifications with a statutory or national shape.

- Operation Encompass: police tell a school's designated safeguarding lead
  about a domestic abuse incident before the next school day. The payload is
  what the guidance allows and nothing more: the child's name and date of
  birth, the police reference, date, time and place, whether the child was
  present, and what the child said.
- CP-IS-style access notification: an unscheduled-care setting looked at a
  child's flag; the responsible local authority is told every time.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import AwareDatetime, Field, model_validator

from hub_contracts.envelope import EventPayload, register
from hub_contracts.events.common import (
    LA_CODE_PATTERN,
    URN_PATTERN,
    LongText,
    Name,
    Ref,
    ResponsibleAuthority,
    ShortText,
    StatusKind,
)
from hub_contracts.identifiers import NhsNumber


@register
class OperationEncompassNotified(EventPayload):
    """Police notify a school (or the local authority) of a domestic abuse incident."""

    event_name: ClassVar[str] = "operation-encompass-notified"
    producers: ClassVar[tuple[str, ...]] = ("police-feed",)

    notification_id: Ref = Field(description="Police id for this notification; acks quote it.")
    police_reference: Ref = Field(description="The police incident reference.")
    child_given_name: Name = Field(description="The child's given name.")
    child_family_name: Name = Field(description="The child's family name.")
    child_date_of_birth: date = Field(description="The child's date of birth.")
    incident_at: AwareDatetime = Field(description="Date and time of the incident.")
    incident_place: ShortText = Field(
        description="Where it happened, as general as the school needs (e.g. 'the family home')."
    )
    child_present: bool = Field(description="Whether the child was present.")
    child_said: LongText | None = Field(
        default=None, description="What the child said, if anything, in their words."
    )
    school_urn: str | None = Field(
        default=None,
        pattern=URN_PATTERN,
        description="URN of the child's school; absent when the child is not in school.",
    )
    local_authority_code: str | None = Field(
        default=None,
        pattern=LA_CODE_PATTERN,
        description="Local authority to notify instead, when the child is not in school.",
    )
    notify_by: AwareDatetime = Field(
        description="Before the start of the next school day (weekends and holidays included)."
    )

    @model_validator(mode="after")
    def _one_recipient(self) -> Self:
        if (self.school_urn is None) == (self.local_authority_code is None):
            raise ValueError("give school_urn, or local_authority_code when not in school")
        return self


class AcknowledgerRole(StrEnum):
    """Who at the school (or LA) acknowledged an Operation Encompass notification."""

    DSL = "designated-safeguarding-lead"
    DEPUTY_DSL = "deputy-designated-safeguarding-lead"
    HEADTEACHER = "headteacher"
    LA_EDUCATION_SAFEGUARDING = "la-education-safeguarding-officer"


@register
class OperationEncompassAcknowledged(EventPayload):
    """The school's key adult has read an Operation Encompass notification."""

    event_name: ClassVar[str] = "operation-encompass-acknowledged"
    producers: ClassVar[tuple[str, ...]] = ("education",)

    notification_id: Ref = Field(description="The notification acknowledged.")
    acknowledged_at: AwareDatetime = Field(description="When it was acknowledged.")
    acknowledged_by_role: AcknowledgerRole = Field(description="The role that acknowledged it.")
    school_urn: str | None = Field(
        default=None, pattern=URN_PATTERN, description="The acknowledging school's URN."
    )


@register
class OperationEncompassOverdue(EventPayload):
    """No acknowledgement reached the police before the start of the next school day.

    A breach of the Operation Encompass promise: the police (who own the
    notification) publish it once, so the hub and the school can act.
    """

    event_name: ClassVar[str] = "operation-encompass-overdue"
    producers: ClassVar[tuple[str, ...]] = ("police-feed",)

    notification_id: Ref = Field(description="The notification not acknowledged in time.")
    police_reference: Ref = Field(description="The police incident reference.")
    school_urn: str | None = Field(
        default=None, pattern=URN_PATTERN, description="The school that was notified, if any."
    )
    local_authority_code: str | None = Field(
        default=None,
        pattern=LA_CODE_PATTERN,
        description="The local authority notified instead, for a child not in school.",
    )
    notify_by: AwareDatetime = Field(description="The deadline that passed.")
    detected_at: AwareDatetime = Field(description="When the police feed found it overdue.")


class CareSetting(StrEnum):
    """An unscheduled-care setting of the kind CP-IS serves."""

    EMERGENCY_DEPARTMENT = "emergency-department"
    URGENT_TREATMENT_CENTRE = "urgent-treatment-centre"
    MINOR_INJURIES_UNIT = "minor-injuries-unit"
    WALK_IN_CENTRE = "walk-in-centre"
    OUT_OF_HOURS_GP = "out-of-hours-gp"
    AMBULANCE_SERVICE = "ambulance-service"
    MATERNITY = "maternity"
    NHS_111 = "nhs-111"


@register
class RecordAccessed(EventPayload):
    """An unscheduled-care setting viewed a child's protection flag (CP-IS style)."""

    event_name: ClassVar[str] = "record-accessed"
    producers: ClassVar[tuple[str, ...]] = ("health-feed",)

    access_id: Ref = Field(description="Health's id for this access.")
    child_nhs_number: NhsNumber = Field(description="The child's NHS number.")
    status_kind: StatusKind = Field(description="The flag that was shown.")
    care_setting: CareSetting = Field(description="The kind of setting that looked.")
    organisation_name: ShortText = Field(description="The setting's name, e.g. the hospital.")
    ods_code: str | None = Field(
        default=None,
        pattern=r"^[A-Z0-9]{3,6}$",
        description="NHS ODS code of the organisation, if known.",
    )
    accessed_at: AwareDatetime = Field(description="When the flag was viewed.")
    responsible_authority: ResponsibleAuthority = Field(
        description="The local authority that is notified (responsible for the plan)."
    )
