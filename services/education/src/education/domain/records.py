"""What a school MIS sends education: pupils, attendance concerns and exclusions.

Pure models and rules (no I/O). Education knows a child by its unique pupil
number (UPN): it is the child's ``agency_person_id`` in everything education
publishes, whatever person id the MIS itself uses.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Self

from hub_agency.domain import AgencyRecord
from hub_contracts.codes import SendType
from hub_contracts.events.common import URN_PATTERN, ChildAsStated, LongText, ShortText
from hub_contracts.identifiers import Upn
from hub_service.clock import LONDON
from pydantic import Field, model_validator

YEAR_GROUP_PATTERN = r"^(N1|N2|R|[1-9]|1[0-4]|X)$"
"""National curriculum year group as the school census records it (N1, N2, R, 1-14, X)."""


class SenProvision(StrEnum):
    """A pupil's SEN provision (school census SEN provision N / K / E)."""

    NONE = "none"
    SEN_SUPPORT = "sen-support"
    EHCP = "ehcp"
    """An Education, Health and Care plan (Children and Families Act 2014)."""


SEN_PROVISION_DESCRIPTIONS: dict[SenProvision, str] = {
    SenProvision.NONE: "No special educational need",
    SenProvision.SEN_SUPPORT: "SEN support",
    SenProvision.EHCP: "Education, Health and Care plan",
}


class PupilRecord(AgencyRecord):
    """A pupil on roll at one of the tenant's schools, as the school MIS holds them."""

    child: ChildAsStated = Field(
        description="The pupil; ``upn`` is required and becomes education's person id."
    )
    school_urn: str = Field(
        pattern=URN_PATTERN, description="URN of the school; one of the tenant's schools."
    )
    year_group: str = Field(
        pattern=YEAR_GROUP_PATTERN,
        description="National curriculum year group: N1, N2, R, 1-14 or X (not applicable).",
    )
    enrolled_on: date = Field(description="Date the pupil joined the school.")
    sen_provision: SenProvision = Field(
        default=SenProvision.NONE, description="SEN provision: none, sen-support or ehcp."
    )
    primary_sen_type: SendType | None = Field(
        default=None,
        description="Primary type of SEN (SSD224); required with SEN support or an EHCP, "
        "absent otherwise.",
    )

    @model_validator(mode="after")
    def _upn_and_sen_type(self) -> Self:
        if self.child.upn is None:
            raise ValueError("child.upn is required: education knows pupils by their UPN")
        needs_type = self.sen_provision is not SenProvision.NONE
        if needs_type and self.primary_sen_type is None:
            raise ValueError("primary_sen_type is required with SEN support or an EHCP")
        if not needs_type and self.primary_sen_type is not None:
            raise ValueError("primary_sen_type is only given with SEN support or an EHCP")
        return self

    @property
    def upn(self) -> str:
        assert self.child.upn is not None  # enforced by the validator
        return self.child.upn

    def child_as_education_holds_it(self) -> ChildAsStated:
        """The child with the UPN as education's person id."""
        return self.child.model_copy(update={"agency_person_id": self.upn})


class AttendanceConcernRecord(AgencyRecord):
    """A school's concern about a pupil's attendance over a period."""

    upn: Upn = Field(description="UPN of a pupil of the tenant's schools.")
    period_start: date = Field(description="First day of the period the figures cover.")
    period_end: date = Field(description="Last day of the period the figures cover.")
    attendance_percentage: float = Field(
        ge=0, le=100, description="Sessions attended as a percentage of possible sessions."
    )
    unexplained_absences: int = Field(
        ge=0, description="Sessions missed without explanation in the period."
    )
    summary: LongText = Field(description="What worries the school, in its words.")
    raise_concern: bool = Field(
        default=False, description="True to raise a safeguarding concern with the hub."
    )
    raised_by_role: ShortText | None = Field(
        default=None, description="Role of who raised it, e.g. 'designated safeguarding lead'."
    )

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self

    def concern_summary(self) -> str:
        return with_figures(
            self.summary, f"attendance {self.attendance_percentage:g}%; {_figures(self)}"
        )

    def occurred_at(self) -> datetime:
        return start_of_day(self.period_end)


def _figures(record: AttendanceConcernRecord) -> str:
    return (
        f"{record.unexplained_absences} unexplained absences "
        f"{record.period_start.isoformat()} to {record.period_end.isoformat()}"
    )


class ExclusionKind(StrEnum):
    """A suspension (fixed period) or a permanent exclusion."""

    SUSPENSION = "suspension"
    PERMANENT_EXCLUSION = "permanent-exclusion"


class ExclusionReason(StrEnum):
    """Reason for a suspension or exclusion: the DfE school census reason categories."""

    PHYSICAL_ASSAULT_PUPIL = "PP"
    PHYSICAL_ASSAULT_ADULT = "PA"
    VERBAL_ABUSE_PUPIL = "VP"
    VERBAL_ABUSE_ADULT = "VA"
    OFFENSIVE_WEAPON = "OW"
    BULLYING = "BU"
    RACIST_ABUSE = "RA"
    SEXUAL_ORIENTATION_GENDER_IDENTITY_ABUSE = "LG"
    DISABILITY_ABUSE = "DS"
    SEXUAL_MISCONDUCT = "SM"
    DRUG_ALCOHOL = "DA"
    DAMAGE = "DM"
    THEFT = "TH"
    PERSISTENT_DISRUPTIVE = "PD"
    ONLINE_MISUSE = "MT"
    PUBLIC_HEALTH_MEASURES = "PH"

    @property
    def description(self) -> str:
        return EXCLUSION_REASON_DESCRIPTIONS[self]


EXCLUSION_REASON_DESCRIPTIONS: dict[ExclusionReason, str] = {
    ExclusionReason.PHYSICAL_ASSAULT_PUPIL: "Physical assault against a pupil",
    ExclusionReason.PHYSICAL_ASSAULT_ADULT: "Physical assault against an adult",
    ExclusionReason.VERBAL_ABUSE_PUPIL: "Verbal abuse or threatening behaviour against a pupil",
    ExclusionReason.VERBAL_ABUSE_ADULT: "Verbal abuse or threatening behaviour against an adult",
    ExclusionReason.OFFENSIVE_WEAPON: "Use or threat of use of an offensive weapon or prohibited "
    "item",
    ExclusionReason.BULLYING: "Bullying",
    ExclusionReason.RACIST_ABUSE: "Racist abuse",
    ExclusionReason.SEXUAL_ORIENTATION_GENDER_IDENTITY_ABUSE: "Abuse against sexual orientation "
    "and gender identity",
    ExclusionReason.DISABILITY_ABUSE: "Abuse relating to disability",
    ExclusionReason.SEXUAL_MISCONDUCT: "Sexual misconduct",
    ExclusionReason.DRUG_ALCOHOL: "Drug and alcohol related",
    ExclusionReason.DAMAGE: "Damage",
    ExclusionReason.THEFT: "Theft",
    ExclusionReason.PERSISTENT_DISRUPTIVE: "Persistent or general disruptive behaviour",
    ExclusionReason.ONLINE_MISUSE: "Inappropriate use of social media or online technology",
    ExclusionReason.PUBLIC_HEALTH_MEASURES: "Wilful and repeated transgression of protective "
    "measures in place to protect public health",
}


class ExclusionRecord(AgencyRecord):
    """A suspension or permanent exclusion of a pupil."""

    upn: Upn = Field(description="UPN of a pupil of the tenant's schools.")
    kind: ExclusionKind = Field(description="suspension or permanent-exclusion.")
    start_date: date = Field(description="First day the pupil is excluded.")
    days: float | None = Field(
        default=None,
        gt=0,
        le=45,
        multiple_of=0.5,
        description="School days of a suspension (half days allowed, at most 45 a year); "
        "absent for a permanent exclusion.",
    )
    reason: ExclusionReason = Field(
        description="DfE exclusion reason category, e.g. 'PD' (persistent disruptive behaviour)."
    )
    summary: LongText | None = Field(
        default=None, description="What happened, in the school's words (optional)."
    )
    raise_concern: bool = Field(
        default=False, description="True to raise a safeguarding concern with the hub."
    )
    raised_by_role: ShortText | None = Field(
        default=None, description="Role of who raised it, e.g. 'designated safeguarding lead'."
    )

    @model_validator(mode="after")
    def _days_for_suspensions(self) -> Self:
        if self.kind is ExclusionKind.SUSPENSION and self.days is None:
            raise ValueError("a suspension gives its length in days")
        if self.kind is ExclusionKind.PERMANENT_EXCLUSION and self.days is not None:
            raise ValueError("a permanent exclusion has no length in days")
        return self

    def description(self) -> str:
        """One line, e.g. 'Suspension, 2 days from 2026-11-02: Damage'."""
        if self.kind is ExclusionKind.SUSPENSION:
            what = f"Suspension, {self.days:g} day{'s' if self.days != 1 else ''}"
        else:
            what = "Permanent exclusion"
        return f"{what} from {self.start_date.isoformat()}: {self.reason.description}"

    def concern_summary(self) -> str:
        if not self.summary:
            return self.description()
        return with_figures(self.summary, self.description())

    def occurred_at(self) -> datetime:
        return start_of_day(self.start_date)


SUMMARY_LIMIT = 4000
"""A concern summary's length limit (the contract's ``LongText``)."""


def with_figures(summary: str, figures: str) -> str:
    """The school's words, then the figures in brackets; the words are cut to fit the limit."""
    tail = f" ({figures})"
    room = SUMMARY_LIMIT - len(tail)
    words = summary if len(summary) <= room else summary[: room - 3].rstrip() + "..."
    return words + tail


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in England, as an aware datetime."""
    return datetime.combine(day, time(0), LONDON)
