"""Referrals early help receives: from the hub, and step-down requests from social care.

Each is kept awaiting allocation until an episode is opened for it. A referral
received under the family's consent stops being usable (and its details are
removed) when that consent is withdrawn.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from hub_agency.domain import Rejected
from hub_contracts.codes import PrimaryNeed, RagRating
from hub_contracts.events import (
    ChildAsStated,
    HouseholdMember,
    ReferralToEarlyHelp,
    StepDownRequested,
)
from hub_contracts.events.common import Actor, LongText, Ref
from hub_contracts.sharing import LawfulBasis, SharingBasis
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class ReferralStatus(StrEnum):
    """Where a received referral stands."""

    AWAITING_ALLOCATION = "awaiting-allocation"
    ACCEPTED = "accepted"
    CONSENT_WITHDRAWN = "consent-withdrawn"


ReferralKind = Literal["referral-to-early-help", "step-down-requested"]


class ReceivedReferral(BaseModel):
    """A referral as early help keeps it: who sent it, about whom, why, on what basis."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referral_id: Ref = Field(description="The hub's referral id, or social care's request id.")
    kind: ReferralKind = Field(description="The event it came as.")
    status: ReferralStatus = Field(description="Awaiting allocation, accepted, ...")
    sent_by_service: str = Field(description="Service that sent it: front-door or social-care.")
    sent_by: Actor = Field(description="Who referred (user or role id at the sender).")
    origin_reference: Ref = Field(
        description="The hub's contact id, or social care's case id, the referral comes from."
    )
    child: ChildAsStated = Field(description="The child as the sender records them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), description="The household as the sender records it."
    )
    reason: LongText = Field(description="Why the child is referred.")
    primary_need: PrimaryNeed | None = Field(default=None, description="Primary need, if set.")
    rag_rating: RagRating | None = Field(
        default=None, description="The hub's urgency rating (hub referrals only)."
    )
    consent_id: Ref | None = Field(
        default=None, description="The family's consent record for early help, if given."
    )
    lawful_basis: LawfulBasis = Field(description="The basis it was shared with early help on.")
    sharing_consent_ref: Ref | None = Field(
        default=None, description="The consent relied on for sharing, when the basis is consent."
    )
    event_id: Ref = Field(description="Id of the event it arrived in.")
    sent_at: AwareDatetime = Field(description="When the sender referred.")
    received_at: AwareDatetime = Field(description="When early help received it.")

    @classmethod
    def from_hub(
        cls,
        referral: ReferralToEarlyHelp,
        *,
        producer: str,
        sharing: SharingBasis,
        event_id: str,
        received_at: datetime,
    ) -> ReceivedReferral:
        return cls(
            referral_id=referral.referral_id,
            kind="referral-to-early-help",
            status=ReferralStatus.AWAITING_ALLOCATION,
            sent_by_service=producer,
            sent_by=referral.referred_by,
            origin_reference=referral.contact_id,
            child=referral.child,
            household=referral.household,
            reason=referral.reason,
            primary_need=referral.primary_need,
            rag_rating=referral.rag_rating,
            consent_id=referral.consent_id,
            lawful_basis=sharing.lawful_basis,
            sharing_consent_ref=sharing.consent_ref,
            event_id=event_id,
            sent_at=referral.referred_at,
            received_at=received_at,
        )

    @classmethod
    def from_step_down(
        cls,
        request: StepDownRequested,
        *,
        producer: str,
        sharing: SharingBasis,
        event_id: str,
        received_at: datetime,
    ) -> ReceivedReferral:
        return cls(
            referral_id=request.request_id,
            kind="step-down-requested",
            status=ReferralStatus.AWAITING_ALLOCATION,
            sent_by_service=producer,
            sent_by=request.requested_by,
            origin_reference=request.case_id,
            child=request.child,
            household=request.household,
            reason=request.reason,
            primary_need=request.primary_need,
            consent_id=request.consent_id,
            lawful_basis=sharing.lawful_basis,
            sharing_consent_ref=sharing.consent_ref,
            event_id=event_id,
            sent_at=request.requested_at,
            received_at=received_at,
        )


PERSONAL_FIELDS = ("child", "household", "reason")
"""What is removed from a referral held only on a consent that was withdrawn."""


def ensure_can_be_accepted(referral_id: str, status: str | None) -> None:
    """An episode may answer a referral this tenant received and nobody has taken yet."""
    if status is None:
        raise Rejected("unknown-referral", f"no referral {referral_id} received in this tenant")
    if status == ReferralStatus.ACCEPTED:
        raise Rejected(
            "referral-already-accepted",
            f"referral {referral_id} already has an episode",
            status=409,
        )
    if status == ReferralStatus.CONSENT_WITHDRAWN:
        raise Rejected(
            "referral-consent-withdrawn",
            f"the consent referral {referral_id} was shared under has been withdrawn",
            status=409,
        )
