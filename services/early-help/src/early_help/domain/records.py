"""The records an early help case system sends: episodes, closures and step-up requests."""

from __future__ import annotations

from hub_agency.domain import AgencyRecord
from hub_contracts.codes import PrimaryNeed
from hub_contracts.events import ChildAsStated, EarlyHelpClosureReason, HouseholdMember
from hub_contracts.events.common import Actor, LongText, Ref, ShortText
from pydantic import AwareDatetime, Field


class EpisodeRecord(AgencyRecord):
    """An early help episode (team around the family) opened for a child.

    ``record_id`` is early help's id for the episode.
    """

    child: ChildAsStated = Field(
        description="The child as early help records them; agency_person_id is early help's "
        "person id (e.g. 'EH-P-1001')."
    )
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="The household as early help records it."
    )
    lead_professional_role: ShortText = Field(
        description="Role of the lead professional, e.g. 'family support worker'."
    )
    team: Ref = Field(description="Id of one of the tenant's early help teams (GET /teams).")
    primary_need: PrimaryNeed | None = Field(
        default=None, description="CIN census primary need, if set."
    )
    referral_id: Ref | None = Field(
        default=None,
        description="The received referral or step-down request this episode answers, if any; "
        "it must be one this tenant received (GET /referrals), and is marked accepted.",
    )
    opened_at: AwareDatetime = Field(description="When the episode opened.")


class EpisodeClosureRecord(AgencyRecord):
    """An open episode closed. ``record_id`` is early help's id for the closure."""

    episode_id: Ref = Field(description="The episode closed; it must be open.")
    closure_reason: EarlyHelpClosureReason = Field(description="Why it closed.")
    summary: LongText | None = Field(
        default=None, description="Short summary of what changed for the family."
    )
    closed_by: Actor = Field(description="Who closed it (user or role id, never a name).")
    closed_at: AwareDatetime = Field(description="When it closed; not before it opened.")


class StepUpRequestRecord(AgencyRecord):
    """Early help asks social care to take a case. ``record_id`` is the request id.

    The child and household are taken from the stored episode, so nobody re-keys them.
    """

    episode_id: Ref = Field(description="The open episode being stepped up.")
    reason: LongText = Field(description="What has changed and why social care is needed.")
    primary_need: PrimaryNeed = Field(description="CIN census primary need.")
    requested_by: Actor = Field(description="Who requested it (user or role id, never a name).")
    requested_at: AwareDatetime = Field(description="When it was requested.")
