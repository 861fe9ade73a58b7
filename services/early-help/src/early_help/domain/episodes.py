"""An early help episode's life: opened, stepped up (perhaps), closed.

Pure rules; refusals are ``Rejected`` with the machine-readable reason the
agency system sees.
"""

from __future__ import annotations

from enum import StrEnum

from hub_agency.domain import Rejected
from hub_contracts.codes import PrimaryNeed
from hub_contracts.events import ChildAsStated, EarlyHelpClosureReason, HouseholdMember
from hub_contracts.events.common import Actor, Ref, ShortText
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from early_help.domain.records import EpisodeClosureRecord, EpisodeRecord, StepUpRequestRecord


class EpisodeStatus(StrEnum):
    """Whether early help is still working with the family."""

    OPEN = "open"
    CLOSED = "closed"


class Episode(BaseModel):
    """An episode's current state, as early help holds it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    episode_id: Ref = Field(description="Early help's id for the episode.")
    status: EpisodeStatus = Field(description="Open or closed.")
    child: ChildAsStated = Field(description="The child as early help records them.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), description="The household as early help records it."
    )
    team: Ref = Field(description="Id of the team holding the episode.")
    lead_professional_role: ShortText = Field(description="Role of the lead professional.")
    primary_need: PrimaryNeed | None = Field(default=None, description="Primary need, if set.")
    referral_id: Ref | None = Field(default=None, description="The referral it answers, if any.")
    opened_at: AwareDatetime = Field(description="When it opened.")
    closed_at: AwareDatetime | None = Field(default=None, description="When it closed.")
    closure_reason: EarlyHelpClosureReason | None = Field(
        default=None, description="Why it closed."
    )
    closed_by: Actor | None = Field(default=None, description="Who closed it.")
    closure_id: Ref | None = Field(default=None, description="The closure record's id.")
    step_up_request_ids: tuple[Ref, ...] = Field(
        default=(), description="Step-up requests made from this episode."
    )

    @classmethod
    def open(cls, record: EpisodeRecord) -> Episode:
        return cls(
            episode_id=record.record_id,
            status=EpisodeStatus.OPEN,
            child=record.child,
            household=record.household,
            team=record.team,
            lead_professional_role=record.lead_professional_role,
            primary_need=record.primary_need,
            referral_id=record.referral_id,
            opened_at=record.opened_at,
        )

    def ensure_open(self) -> None:
        if self.status is not EpisodeStatus.OPEN:
            raise Rejected(
                "episode-not-open", f"episode {self.episode_id} is {self.status.value}", status=409
            )

    def close(self, closure: EpisodeClosureRecord) -> Episode:
        """The episode closed by ``closure``; refused unless open and closed after opening."""
        self.ensure_open()
        if closure.closed_at < self.opened_at:
            raise Rejected(
                "closed-before-opened",
                f"closed_at is before episode {self.episode_id} opened",
            )
        return self.model_copy(
            update={
                "status": EpisodeStatus.CLOSED,
                "closed_at": closure.closed_at,
                "closure_reason": closure.closure_reason,
                "closed_by": closure.closed_by,
                "closure_id": closure.record_id,
            }
        )

    def step_up(self, request: StepUpRequestRecord) -> Episode:
        """The episode with ``request`` noted; only an open episode can be stepped up."""
        self.ensure_open()
        return self.model_copy(
            update={"step_up_request_ids": (*self.step_up_request_ids, request.record_id)}
        )


def episode_or_refuse(episode: Episode | None, episode_id: str) -> Episode:
    """The episode a closure or step-up names; unknown ids are refused."""
    if episode is None:
        raise Rejected("unknown-episode", f"no episode {episode_id} in this tenant")
    return episode


def fact_summary(episode: Episode, team_name: str | None) -> str:
    """What early help tells the hub about an episode: who holds it and since when.

    Only the minimum the hub needs (team, role, dates, need, closure reason);
    never the closure narrative or the household.
    """
    team = f"{team_name} ({episode.team})" if team_name else episode.team
    parts = [
        f"Early help episode {episode.status.value}",
        f"opened {episode.opened_at.date().isoformat()}",
    ]
    if episode.closed_at is not None:
        reason = episode.closure_reason.value if episode.closure_reason else "no reason given"
        parts.append(f"closed {episode.closed_at.date().isoformat()} ({reason})")
    parts.append(f"team {team}")
    parts.append(f"lead professional: {episode.lead_professional_role}")
    if episode.primary_need is not None:
        parts.append(f"primary need {episode.primary_need.value}")
    return "; ".join(parts) + "."
