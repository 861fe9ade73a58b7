"""Early help episodes, social care statuses, and moving cases between them.

Step-up (early help to social care) and step-down (social care to early help)
carry the child and the reason, so the family never tells its story again.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from hub_contracts.codes import CategoryOfAbuse, CinClosureReason, PrimaryNeed
from hub_contracts.envelope import EventPayload, register
from hub_contracts.events.common import (
    Actor,
    ChildAsStated,
    HouseholdMember,
    LongText,
    Ref,
    ResponsibleAuthority,
    ShortText,
    StatusKind,
)
from hub_contracts.identifiers import NhsNumber, Upn


class EarlyHelpClosureReason(StrEnum):
    """Why an early help episode ended."""

    OUTCOMES_ACHIEVED = "outcomes-achieved"
    STEPPED_UP = "stepped-up-to-social-care"
    CONSENT_WITHDRAWN = "consent-withdrawn"
    FAMILY_DISENGAGED = "family-disengaged"
    MOVED_AWAY = "moved-out-of-area"
    UNIVERSAL_SERVICES = "needs-met-by-universal-services"


@register
class EarlyHelpEpisodeOpened(EventPayload):
    """Early help has opened an episode (team around the family) for a child."""

    event_name: ClassVar[str] = "early-help-episode-opened"
    producers: ClassVar[tuple[str, ...]] = ("early-help",)

    episode_id: Ref = Field(description="Early help's id for the episode.")
    referral_id: Ref | None = Field(
        default=None, description="The referral or step-down request it answers, if any."
    )
    child: ChildAsStated = Field(description="The child as early help records them.")
    lead_professional_role: ShortText = Field(
        description="Role of the lead professional, e.g. 'family support worker'."
    )
    team: ShortText = Field(description="The early help team holding the episode.")
    primary_need: PrimaryNeed | None = Field(default=None, description="Primary need, if set.")
    opened_at: AwareDatetime = Field(description="When the episode opened.")


@register
class EarlyHelpEpisodeClosed(EventPayload):
    """Early help has closed an episode."""

    event_name: ClassVar[str] = "early-help-episode-closed"
    producers: ClassVar[tuple[str, ...]] = ("early-help",)

    episode_id: Ref = Field(description="Early help's id for the episode.")
    closure_reason: EarlyHelpClosureReason = Field(description="Why it closed.")
    closure_summary: LongText | None = Field(
        default=None, description="Short summary of what changed for the family."
    )
    closed_by: Actor = Field(description="Who closed it (user or role id).")
    closed_at: AwareDatetime = Field(description="When it closed.")


@register
class StepUpRequested(EventPayload):
    """Early help asks social care to take a case (needs have escalated)."""

    event_name: ClassVar[str] = "step-up-requested"
    producers: ClassVar[tuple[str, ...]] = ("early-help",)

    request_id: Ref = Field(description="Early help's id for the request.")
    episode_id: Ref = Field(description="The early help episode being stepped up.")
    child: ChildAsStated = Field(description="The child as early help records them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="The household as early help records it."
    )
    reason: LongText = Field(description="What has changed and why social care is needed.")
    primary_need: PrimaryNeed = Field(description="CIN census primary need.")
    requested_by: Actor = Field(description="Who requested it (user or role id).")
    requested_at: AwareDatetime = Field(description="When it was requested.")


@register
class StepDownRequested(EventPayload):
    """Social care asks early help to continue support after closing its involvement."""

    event_name: ClassVar[str] = "step-down-requested"
    producers: ClassVar[tuple[str, ...]] = ("social-care",)

    request_id: Ref = Field(description="Social care's id for the request.")
    case_id: Ref = Field(description="Social care's case being stepped down.")
    child: ChildAsStated = Field(description="The child as social care records them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="The household as social care records it."
    )
    reason: LongText = Field(description="What support is still needed, and why.")
    primary_need: PrimaryNeed | None = Field(default=None, description="Primary need, if set.")
    closure_reason: CinClosureReason | None = Field(
        default=None, description="CIN closure reason when an assessment ends (RC9)."
    )
    consent_id: Ref | None = Field(
        default=None, description="The family's consent record for early help, if given."
    )
    requested_by: Actor = Field(description="Who requested it (user or role id).")
    requested_at: AwareDatetime = Field(description="When it was requested.")


@register
class SocialCareStatusChanged(EventPayload):
    """A child-in-need, child protection plan or looked-after status started or ended.

    The basis of CP-IS-style flags: unscheduled-care settings see the status
    and the responsible authority's numbers, never the category of abuse.
    """

    event_name: ClassVar[str] = "social-care-status-changed"
    producers: ClassVar[tuple[str, ...]] = ("social-care",)

    change_id: Ref = Field(description="Social care's id for this change.")
    case_id: Ref = Field(description="Social care's case id.")
    status_kind: StatusKind = Field(description="Which status changed.")
    change: Literal["started", "ended"] = Field(description="Whether it started or ended.")
    started_on: date = Field(description="When the status started.")
    ended_on: date | None = Field(default=None, description="When it ended; required if ended.")
    category_of_abuse: CategoryOfAbuse | None = Field(
        default=None, description="Category of a child protection plan; required for CP plans."
    )
    closure_reason: CinClosureReason | None = Field(
        default=None, description="CIN closure reason when a child-in-need status ends."
    )
    child_nhs_number: NhsNumber | None = Field(
        default=None, description="NHS number: how health finds the child (CP-IS is keyed on it)."
    )
    child_upn: Upn | None = Field(default=None, description="Unique pupil number, if known.")
    child: ChildAsStated = Field(description="The child as social care records them.")
    responsible_authority: ResponsibleAuthority = Field(
        description="The local authority responsible, with its contact numbers."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.change == "ended") != (self.ended_on is not None):
            raise ValueError("ended_on is required when, and only when, the status ended")
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError("ended_on is before started_on")
        is_cp = self.status_kind is StatusKind.CHILD_PROTECTION_PLAN
        if is_cp and self.category_of_abuse is None:
            raise ValueError("a child protection plan needs its category_of_abuse")
        if not is_cp and self.category_of_abuse is not None:
            raise ValueError("category_of_abuse belongs to child protection plans only")
        return self
