"""What the hub (front-door) publishes about a contact: received, rated, decided, routed."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from hub_contracts.codes import (
    SCREENING_HOURS,
    Agency,
    CategoryOfAbuse,
    ContactOutcome,
    PrimaryNeed,
    RagRating,
    ReferralSource,
)
from hub_contracts.envelope import EventPayload, register
from hub_contracts.events.common import (
    Actor,
    ChildAsStated,
    HouseholdMember,
    LongText,
    Ref,
    ShortText,
)

FRONT_DOOR = ("front-door",)


@register
class ContactReceived(EventPayload):
    """The hub has recorded a contact about a child; its screening clock has started."""

    event_name: ClassVar[str] = "contact-received"
    producers: ClassVar[tuple[str, ...]] = FRONT_DOOR

    contact_id: Ref = Field(description="The hub's id for the contact.")
    received_at: AwareDatetime = Field(description="When the hub received the contact.")
    referral_source: ReferralSource = Field(description="Who raised it (CIN census code).")
    origin_agency: Agency | None = Field(
        default=None, description="The partner agency it came from, if it came from one."
    )
    origin_event_id: Ref | None = Field(
        default=None,
        description="Id of the child-concern-raised event it came from, so the referrer can match.",
    )
    rag_rating_as_received: RagRating | None = Field(
        default=None, description="The referrer's own rating, if they gave one."
    )
    concern_summary: LongText = Field(description="The concern as recorded by the hub.")
    child: ChildAsStated = Field(description="The child as recorded on the contact.")


@register
class ContactRated(EventPayload):
    """A practitioner has rated a contact's urgency (red 4h, amber 24h, green 72h)."""

    event_name: ClassVar[str] = "contact-rated"
    producers: ClassVar[tuple[str, ...]] = FRONT_DOOR

    contact_id: Ref = Field(description="The hub's id for the contact.")
    rag_rating: RagRating = Field(description="The hub's urgency rating.")
    rationale: LongText = Field(description="Why this rating, in the practitioner's words.")
    rated_by: Actor = Field(description="Who rated it (user or role id).")
    rated_at: AwareDatetime = Field(description="When it was rated.")
    screen_by: AwareDatetime = Field(
        description="Deadline for screening: rated_at plus 4, 24 or 72 hours by rating."
    )

    @model_validator(mode="after")
    def _deadline_matches_rating(self) -> Self:
        expected = self.rated_at + timedelta(hours=SCREENING_HOURS[self.rag_rating])
        if self.screen_by > expected:
            raise ValueError(
                f"screen_by is later than {SCREENING_HOURS[self.rag_rating]} hours after rating"
            )
        return self


@register
class ContactDeadlineBreached(EventPayload):
    """A contact passed a statutory deadline undecided (published once per clock).

    ``screening-window`` is the RAG window (red 4 h, amber 24 h, green 72 h);
    ``decision`` is one working day from receipt (Working Together 2023).
    """

    event_name: ClassVar[str] = "contact-deadline-breached"
    producers: ClassVar[tuple[str, ...]] = FRONT_DOOR

    contact_id: Ref = Field(description="The hub's id for the contact.")
    clock: Literal["screening-window", "decision"] = Field(description="Which deadline passed.")
    rag_rating: RagRating | None = Field(
        default=None, description="The contact's rating when it breached, if rated."
    )
    deadline: AwareDatetime = Field(description="The deadline that passed.")
    detected_at: AwareDatetime = Field(description="When the hub found it passed.")


_NEEDS_PRIMARY_NEED = {ContactOutcome.CIN_REFERRAL, ContactOutcome.STRATEGY_DISCUSSION}


@register
class ContactDecided(EventPayload):
    """The hub has decided what happens next with a contact (within one working day)."""

    event_name: ClassVar[str] = "contact-decided"
    producers: ClassVar[tuple[str, ...]] = FRONT_DOOR

    contact_id: Ref = Field(description="The hub's id for the contact.")
    origin_event_id: Ref | None = Field(
        default=None, description="Id of the referrer's child-concern-raised event, if any."
    )
    outcome: ContactOutcome = Field(description="The decision (SSD038, plus strategy discussion).")
    reason: LongText = Field(description="Why, in the decision-maker's words.")
    primary_need: PrimaryNeed | None = Field(
        default=None,
        description="CIN census primary need; required for CIN referral and strategy discussion.",
    )
    decided_by: Actor = Field(description="Who decided (user or role id of a hub manager).")
    decided_at: AwareDatetime = Field(description="When the decision was made.")
    family_informed: bool = Field(
        description="Whether the family is told about the contact (the default expectation)."
    )
    family_not_informed_reason: ShortText | None = Field(
        default=None,
        description="Why not, when telling them would put the child at risk or prejudice a "
        "criminal investigation; required when family_informed is false.",
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.outcome in _NEEDS_PRIMARY_NEED and self.primary_need is None:
            raise ValueError(f"a {self.outcome.value} decision needs a primary_need")
        if not self.family_informed and not self.family_not_informed_reason:
            raise ValueError("not informing the family needs family_not_informed_reason")
        return self


class _Referral(EventPayload):
    """Fields every referral from the hub carries."""

    referral_id: Ref = Field(description="The hub's id for the referral.")
    contact_id: Ref = Field(description="The contact the referral comes from.")
    referral_source: ReferralSource = Field(
        description="Who originally raised the concern (CIN census referral source)."
    )
    child: ChildAsStated = Field(description="The child as the hub holds them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="The household as the hub holds it."
    )
    reason: LongText = Field(description="Why the child is referred: the hub's analysis.")
    rag_rating: RagRating = Field(description="The hub's urgency rating of the contact.")
    referred_by: Actor = Field(description="Who made the referral (user or role id).")
    referred_at: AwareDatetime = Field(description="When the referral was made.")


@register
class ReferralToEarlyHelp(_Referral):
    """The hub refers a child and family to early help."""

    event_name: ClassVar[str] = "referral-to-early-help"
    producers: ClassVar[tuple[str, ...]] = FRONT_DOOR

    primary_need: PrimaryNeed | None = Field(
        default=None, description="Primary need, when the hub has identified one."
    )
    consent_id: Ref | None = Field(
        default=None, description="The family's consent record for early help, if given."
    )


@register
class ReferralToSocialCare(_Referral):
    """The hub refers a child to children's social care (Children Act 1989 s17)."""

    event_name: ClassVar[str] = "referral-to-social-care"
    producers: ClassVar[tuple[str, ...]] = FRONT_DOOR

    primary_need: PrimaryNeed = Field(description="CIN census primary need.")


@register
class StrategyDiscussionRequested(EventPayload):
    """Reasonable cause to suspect significant harm: convene a strategy discussion (s47)."""

    event_name: ClassVar[str] = "strategy-discussion-requested"
    producers: ClassVar[tuple[str, ...]] = FRONT_DOOR

    request_id: Ref = Field(description="The hub's id for the strategy discussion request.")
    contact_id: Ref = Field(description="The contact that led to it.")
    child: ChildAsStated = Field(description="The child as the hub holds them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="The household as the hub holds it."
    )
    reason: LongText = Field(description="Why significant harm is suspected.")
    suspected_category: CategoryOfAbuse | None = Field(
        default=None, description="Category of abuse suspected, if one is apparent."
    )
    primary_need: PrimaryNeed = Field(description="CIN census primary need (usually N1).")
    agencies_invited: tuple[Agency, ...] = Field(
        min_length=1, description="Agencies expected at the discussion (police, health at least)."
    )
    hold_by: AwareDatetime = Field(description="When the discussion must take place by.")
    requested_by: Actor = Field(description="Who requested it (user or role id).")
    requested_at: AwareDatetime = Field(description="When it was requested.")
