"""What the hub (front-door) publishes about its person index: links decided by a person."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from hub_contracts.envelope import EventPayload, register
from hub_contracts.events.common import Actor, LongText, Ref, ShortText


@register
class PersonLinkChanged(EventPayload):
    """A hub person decided that two hub person records are, or are not, one child.

    ``linked``: ``other_person_id`` was merged into ``person_id`` (the survivor)
    and its contacts and facts now carry ``person_id``. ``unlinked``: a link was
    reversed and what it moved went back. ``rejected``: the pair is not the same
    child and is never suggested again. No names or dates travel here: the
    evidence summary says only which fields agreed and how.
    """

    event_name: ClassVar[str] = "person-link-changed"
    producers: ClassVar[tuple[str, ...]] = ("front-door",)

    change_id: Ref = Field(description="The hub's id for this identity decision.")
    action: Literal["linked", "unlinked", "rejected"] = Field(
        description="linked (merged), unlinked (a link reversed) or rejected (never the same)."
    )
    person_id: Ref = Field(
        description="Hub person id of the survivor (linked, unlinked) or of the person "
        "already known (rejected)."
    )
    other_person_id: Ref = Field(
        description="Hub person id of the person merged into (linked), taken out of "
        "(unlinked) or kept apart from (rejected) ``person_id``."
    )
    candidate_id: Ref | None = Field(
        default=None, description="The candidate match the decision was about, if any."
    )
    evidence_summary: ShortText = Field(
        description="Which fields agreed and how, without values, e.g. "
        "'given_name=nickname; family_name=exact; date_of_birth=transposed'."
    )
    score: float | None = Field(
        default=None, ge=0, le=1, description="The matching score of the candidate (0-1)."
    )
    decided_by: Actor = Field(description="Who decided (user id of a hub manager or practitioner).")
    reason: LongText = Field(description="Why, in the decision-maker's words.")
    decided_at: AwareDatetime = Field(description="When it was decided.")
