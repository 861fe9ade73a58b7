"""Commands hub staff give the front door (imperative names)."""

from __future__ import annotations

from hub_contracts.codes import (
    CategoryOfAbuse,
    ContactOutcome,
    PrimaryNeed,
    RagRating,
    ReferralSource,
)
from hub_contracts.events.common import ChildIdentifiers, HouseholdMember, LongText, Ref, ShortText
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class RateContact(BaseModel):
    """A practitioner's urgency rating of a contact; starts the multi-agency enquiries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rag_rating: RagRating = Field(description="red (4 h), amber (24 h) or green (72 h).")
    rationale: LongText = Field(description="Why this rating, in the practitioner's words.")


class DecideContact(BaseModel):
    """A hub manager's decision on a contact, with the reason (both audited)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: ContactOutcome = Field(
        description="No Further Action, Information and Advice, "
        "EH Referral, CIN Referral or Strategy Discussion."
    )
    reason: LongText = Field(description="Why, in the decision-maker's words (required).")
    primary_need: PrimaryNeed | None = Field(
        default=None,
        description="CIN census primary need; required for CIN referral and strategy discussion.",
    )
    suspected_category: CategoryOfAbuse | None = Field(
        default=None, description="For a strategy discussion: the suspected category of abuse."
    )
    consent_id: Ref | None = Field(
        default=None, description="For an early help referral: the family's consent record."
    )
    family_informed: bool = Field(
        default=True, description="Whether the family is told about the contact."
    )
    family_not_informed_reason: ShortText | None = Field(
        default=None, description="Why not, when telling them would put the child at risk."
    )


class RecordContact(BaseModel):
    """A contact hub staff take directly (a call from a neighbour, a GP, the child)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referral_source: ReferralSource = Field(description="Who raised it (CIN census code).")
    rag_rating: RagRating | None = Field(
        default=None, description="An initial rating, if the caller's account warrants one."
    )
    concern_summary: LongText = Field(description="The concern as the caller stated it.")
    child: ChildIdentifiers = Field(description="The child as the caller described them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="The household as the caller described it."
    )
    occurred_at: AwareDatetime | None = Field(
        default=None, description="When what worries the caller happened (default: now)."
    )
