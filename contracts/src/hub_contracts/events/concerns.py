"""A concern about a child, raised by an agency to the hub (the start of every journey)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import EventPayload, register
from hub_contracts.events.common import (
    ChildAsStated,
    HouseholdMember,
    LongText,
    Ref,
    ShortText,
    ValueModel,
)

CONCERN_PRODUCERS = ("police-feed", "health-feed", "education", "early-help", "social-care")


@register
class ChildConcernRaised(EventPayload):
    """An agency is worried about a child and tells the hub (v1).

    Superseded by v2, which splits ``agency_reference`` into the agency and its
    reference; ``hub_contracts.upcasters`` turns v1 events into v2.
    """

    event_name: ClassVar[str] = "child-concern-raised"
    major: ClassVar[int] = 1
    producers: ClassVar[tuple[str, ...]] = CONCERN_PRODUCERS

    agency_reference: Ref = Field(
        description="The raising agency's reference for this concern (incident or case number)."
    )
    referral_source: ReferralSource = Field(
        description="Who raised it, as a CIN census referral source code."
    )
    rag_rating: RagRating | None = Field(
        default=None, description="The agency's own urgency rating, if any (police often rate)."
    )
    concern_summary: LongText = Field(description="What the agency is worried about, as stated.")
    child: ChildAsStated = Field(description="The child as the agency records them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="Adults and children in the household, as known."
    )
    occurred_at: AwareDatetime = Field(description="When the incident or observation happened.")
    raised_by_role: ShortText | None = Field(
        default=None, description="Role of who raised it, e.g. 'designated safeguarding lead'."
    )


class AgencyReference(ValueModel):
    """A record reference qualified by the agency that issued it."""

    agency: Agency = Field(description="The agency whose records the reference points into.")
    reference: Ref = Field(description="The agency's reference (incident, case or record number).")
    system: ShortText | None = Field(
        default=None, description="The agency system that issued it, when an agency has several."
    )


@register
class ChildConcernRaisedV2(EventPayload):
    """An agency is worried about a child and tells the hub (v2).

    Breaking change from v1: ``agency_reference`` is an object (agency +
    reference), so references from different agencies never collide in the
    hub's index.
    """

    event_name: ClassVar[str] = "child-concern-raised"
    major: ClassVar[int] = 2
    producers: ClassVar[tuple[str, ...]] = CONCERN_PRODUCERS

    agency_reference: AgencyReference = Field(
        description="The raising agency and its reference for this concern."
    )
    referral_source: ReferralSource = Field(
        description="Who raised it, as a CIN census referral source code."
    )
    rag_rating: RagRating | None = Field(
        default=None, description="The agency's own urgency rating, if any (police often rate)."
    )
    concern_summary: LongText = Field(description="What the agency is worried about, as stated.")
    child: ChildAsStated = Field(description="The child as the agency records them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="Adults and children in the household, as known."
    )
    occurred_at: AwareDatetime = Field(description="When the incident or observation happened.")
    raised_by_role: ShortText | None = Field(
        default=None, description="Role of who raised it, e.g. 'designated safeguarding lead'."
    )
