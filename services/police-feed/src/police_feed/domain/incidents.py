"""A police incident involving children, and what it means for the hub.

Cleveland Police serves both boroughs; an incident reaches the tenant of the
borough where it happened. Every child involved becomes a concern for the
hub; a domestic abuse incident also starts Operation Encompass (see
``encompass``). Pure: no I/O.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Self

from hub_agency.domain import AgencyRecord
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import SUBJECT_PATTERN
from hub_contracts.events import (
    AgencyReference,
    ChildAsStated,
    ChildConcernRaisedV2,
    FactHeld,
    HouseholdMember,
)
from hub_contracts.events.common import URN_PATTERN, LongText, ShortText
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

INCIDENT_REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,59}$"
"""A police incident reference, e.g. 'CLV-INC-2026-004512' (short enough to derive ids from)."""
_SUBJECT_RE = re.compile(SUBJECT_PATTERN)
MAX_CHILDREN = 20
LONG_TEXT_MAX = 4000


class IncidentKind(StrEnum):
    """What kind of incident brought the police into contact with the children."""

    DOMESTIC_ABUSE = "domestic-abuse"
    MISSING_EPISODE = "missing-episode"
    POLICE_PROTECTION = "police-protection"
    """Police protection powers used (Children Act 1989 s46)."""
    OTHER_CONCERN = "other-concern"


KIND_LABELS: dict[IncidentKind, str] = {
    IncidentKind.DOMESTIC_ABUSE: "Domestic abuse incident",
    IncidentKind.MISSING_EPISODE: "Missing episode",
    IncidentKind.POLICE_PROTECTION: "Police protection",
    IncidentKind.OTHER_CONCERN: "Police concern",
}


class ChildInvolved(BaseModel):
    """One child involved in the incident, and what Operation Encompass needs about them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    child: ChildAsStated = Field(
        description="The child as police records them; agency_person_id is the police person id."
    )
    present: bool = Field(description="Whether the child was present at the incident.")
    child_said: LongText | None = Field(
        default=None, description="What the child said, if anything, in their words."
    )
    school_urn: str | None = Field(
        default=None,
        pattern=URN_PATTERN,
        description="URN of the child's school (from the LA's school directory the police hold).",
    )
    not_in_school: bool = Field(
        default=False,
        description="True when the child attends no school (the LA is notified instead).",
    )

    @model_validator(mode="after")
    def _school_or_not_in_school(self) -> Self:
        if (self.school_urn is None) == (not self.not_in_school):
            raise ValueError("give exactly one of school_urn, or not_in_school=true")
        if not _SUBJECT_RE.fullmatch(self.child.agency_person_id):
            raise ValueError(
                "child.agency_person_id must be a police person id of letters, digits, '.', "
                "'_', ':' or '-'"
            )
        return self

    @property
    def person_id(self) -> str:
        return self.child.agency_person_id


class PoliceIncident(AgencyRecord):
    """A police incident with children present or involved (``police-incident``)."""

    record_id: str = Field(
        pattern=INCIDENT_REFERENCE_PATTERN,
        description="The police incident reference, e.g. 'CLV-INC-2026-004512'.",
    )
    incident_kind: IncidentKind = Field(description="What kind of incident it was.")
    occurred_at: AwareDatetime = Field(description="When the incident happened.")
    place: ShortText = Field(
        description="Where, in general terms only (e.g. 'the family home'), never an address."
    )
    summary: LongText = Field(description="What happened, in the officer's words.")
    rag_rating: RagRating = Field(description="The police's own urgency rating for the hub.")
    officer_role: ShortText = Field(
        description="Role of the reporting officer, e.g. 'response officer'; never a name."
    )
    sensitive: bool = Field(
        default=False,
        description="True while an ongoing criminal investigation restricts disclosure.",
    )
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="Adults and children in the household, as known."
    )
    children: tuple[ChildInvolved, ...] = Field(
        min_length=1, max_length=MAX_CHILDREN, description="The children involved (at least one)."
    )

    @model_validator(mode="after")
    def _each_child_once(self) -> Self:
        ids = [c.person_id for c in self.children]
        if len(ids) != len(set(ids)):
            raise ValueError("each child appears once per incident (by police person id)")
        return self


def _clip(text: str, limit: int = LONG_TEXT_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def concern_summary(incident: PoliceIncident, involved: ChildInvolved) -> str:
    """The concern as the hub reads it: what kind of incident, whether the child was there."""
    presence = "the child was present" if involved.present else "the child was not present"
    return _clip(f"{KIND_LABELS[incident.incident_kind]}; {presence}. {incident.summary}")


def concern_raised(incident: PoliceIncident, involved: ChildInvolved) -> ChildConcernRaisedV2:
    """The ``child-concern-raised`` v2 payload for one child of the incident."""
    return ChildConcernRaisedV2(
        agency_reference=AgencyReference(agency=Agency.POLICE, reference=incident.record_id),
        referral_source=ReferralSource.POLICE,
        rag_rating=incident.rag_rating,
        concern_summary=concern_summary(incident, involved),
        child=involved.child,
        household=incident.household,
        occurred_at=incident.occurred_at,
        raised_by_role=incident.officer_role,
    )


def fact_held(incident: PoliceIncident, involved: ChildInvolved) -> FactHeld:
    """What an enquiry learns about one incident: kind, place and presence, not the narrative."""
    presence = "was present" if involved.present else "was not present"
    return FactHeld(
        kind=incident.incident_kind.value,
        summary=f"{KIND_LABELS[incident.incident_kind]} at {incident.place}; the child {presence}.",
        occurred_at=incident.occurred_at,
        agency_reference=incident.record_id,
    )
