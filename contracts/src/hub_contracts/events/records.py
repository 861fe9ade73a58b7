"""Records management and audit: consent, purge, and every sharing decision.

Consent withdrawal and purge reach every service that holds the child's data
(the sharing policy routes them to all holders); each acts on its own records.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from hub_contracts.binding import RejectReason
from hub_contracts.envelope import EventPayload, register
from hub_contracts.events.common import Actor, ConsentGiver, LongText, Ref, ShortText, ValueModel
from hub_contracts.policy import SharingOutcome
from hub_contracts.services import SERVICES
from hub_contracts.sharing import LawfulBasis, Purpose, SpecialCategoryCondition

ALL_SERVICES = tuple(s.name for s in SERVICES)
CONSENT_PRODUCERS = ("front-door", "early-help", "social-care", "health-feed", "education")

EventName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=80)]
ServiceName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=60)]


class ConsentMethod(StrEnum):
    """How consent was given."""

    VERBAL = "verbal"
    WRITTEN = "written"
    ELECTRONIC = "electronic"


class ConsentScope(ValueModel):
    """What a consent covers: which events, for which purposes, to whom."""

    event_names: tuple[EventName, ...] = Field(
        min_length=1, description="Event names the consent covers (e.g. 'referral-to-early-help')."
    )
    purposes: tuple[Purpose, ...] = Field(min_length=1, description="Purposes it covers.")
    recipients: tuple[ServiceName, ...] = Field(
        default=(), description="Services it allows sharing with; empty means any in the policy."
    )


@register
class ConsentRecorded(EventPayload):
    """Someone gave consent to share a child's information, with scope and expiry."""

    event_name: ClassVar[str] = "consent-recorded"
    producers: ClassVar[tuple[str, ...]] = CONSENT_PRODUCERS

    consent_id: Ref = Field(description="Id of the consent record; sharing headers quote it.")
    scope: ConsentScope = Field(description="What the consent covers.")
    given_by: ConsentGiver = Field(description="Who gave it: relationship and responsibility.")
    method: ConsentMethod = Field(description="How it was given.")
    given_at: AwareDatetime = Field(description="When it was given.")
    expires_at: AwareDatetime | None = Field(
        default=None, description="When it lapses; absent means until withdrawn or case closed."
    )
    recorded_by: Actor = Field(description="Who recorded it (user or role id).")

    @model_validator(mode="after")
    def _expiry_after_giving(self) -> Self:
        if self.expires_at is not None and self.expires_at <= self.given_at:
            raise ValueError("expires_at must be after given_at")
        return self


@register
class ConsentWithdrawn(EventPayload):
    """Consent was withdrawn: every holder stops relying on it."""

    event_name: ClassVar[str] = "consent-withdrawn"
    producers: ClassVar[tuple[str, ...]] = CONSENT_PRODUCERS

    consent_id: Ref = Field(description="The consent record withdrawn.")
    withdrawn_by: ConsentGiver = Field(description="Who withdrew it.")
    withdrawn_at: AwareDatetime = Field(description="When it was withdrawn.")
    recorded_by: Actor = Field(description="Who recorded the withdrawal (user or role id).")
    note: ShortText | None = Field(default=None, description="Anything holders must know.")


class PurgeReason(StrEnum):
    """Why records were purged."""

    RETENTION_ENDED = "retention-period-ended"
    CONSENT_WITHDRAWN = "consent-withdrawn"
    RECORDED_IN_ERROR = "recorded-in-error"
    ERASURE_REQUEST = "erasure-request"
    TENANT_SEPARATION = "tenant-separation"


@register
class RecordPurged(EventPayload):
    """A service purged records about a subject; holders of copies purge theirs."""

    event_name: ClassVar[str] = "record-purged"
    producers: ClassVar[tuple[str, ...]] = ALL_SERVICES

    purge_id: Ref = Field(description="Id of the purge.")
    record_kinds: tuple[ShortText, ...] = Field(
        min_length=1, description="Kinds of record purged, e.g. 'contact', 'enquiry-answer'."
    )
    event_ids: tuple[Ref, ...] = Field(
        default=(),
        max_length=1000,
        description="Ids of events whose data must be purged by their recipients.",
    )
    reason: PurgeReason = Field(description="Why.")
    consent_id: Ref | None = Field(
        default=None, description="The withdrawn consent, when that is the reason."
    )
    purged_at: AwareDatetime = Field(description="When the producer purged its records.")
    authorised_by: Actor = Field(description="Who authorised the purge (user or role id).")

    @model_validator(mode="after")
    def _consent_reason(self) -> Self:
        if (self.reason is PurgeReason.CONSENT_WITHDRAWN) != (self.consent_id is not None):
            raise ValueError("consent_id goes with, and only with, reason consent-withdrawn")
        return self


class NotSharedReason(StrEnum):
    """Why someone decided not to share (recorded as ``not-shared-by-choice``)."""

    RISK_TO_CHILD = "would-put-child-at-risk"
    PREJUDICE_INVESTIGATION = "would-prejudice-investigation"
    NOT_NECESSARY = "not-necessary-for-purpose"
    NO_LAWFUL_BASIS = "no-lawful-basis"


@register
class SharingDecisionRecorded(EventPayload):
    """Audit: one sharing decision for one event and one recipient.

    Answers what was shared, with whom, for what purpose, on what basis,
    decided by whom, and when; never carries the shared data itself.
    """

    event_name: ClassVar[str] = "sharing-decision-recorded"
    producers: ClassVar[tuple[str, ...]] = ALL_SERVICES

    decision_id: Ref = Field(description="Id of this audit record.")
    event_id: Ref = Field(description="Id of the event decided on.")
    event_type: str = Field(
        max_length=120, description="CloudEvents type of that event (name and major)."
    )
    producer: ServiceName = Field(description="Service that published the event.")
    recipient: ServiceName = Field(description="Service the decision is about.")
    purpose: Purpose = Field(description="Purpose the event was shared (or refused) for.")
    lawful_basis: LawfulBasis | None = Field(
        default=None, description="Basis relied on; absent only when the event carried none."
    )
    special_category_condition: SpecialCategoryCondition | None = Field(
        default=None, description="Special category condition relied on, if any."
    )
    outcome: SharingOutcome = Field(description="shared, minimised, refused, not-shared-by-choice.")
    reason_code: RejectReason | NotSharedReason | None = Field(
        default=None, description="Machine-readable reason for a refusal or a choice not to share."
    )
    detail: ShortText | None = Field(default=None, description="Short detail, never personal data.")
    withheld_fields: tuple[str, ...] = Field(
        default=(), description="Payload field paths withheld from the recipient."
    )
    consent_ref: Ref | None = Field(default=None, description="Consent record relied on, if any.")
    override_reason: LongText | None = Field(
        default=None, description="Why it was shared without consent, when it was."
    )
    authorised_by: Actor | None = Field(
        default=None, description="Who authorised sharing without consent."
    )
    decided_by: Actor = Field(description="Who decided: a user id, or 'service:<name>' (policy).")
    decided_at: AwareDatetime = Field(description="When.")

    @model_validator(mode="after")
    def _reason_when_not_shared(self) -> Self:
        if self.outcome in (SharingOutcome.REFUSED, SharingOutcome.NOT_SHARED_BY_CHOICE) and (
            self.reason_code is None
        ):
            raise ValueError(f"a {self.outcome.value} decision needs a reason_code")
        return self
