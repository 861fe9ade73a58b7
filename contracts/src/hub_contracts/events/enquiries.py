"""Multi-agency enquiries: the hub asks what an agency holds, the agency answers."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field

from hub_contracts.codes import Agency, RagRating
from hub_contracts.envelope import EventPayload, register
from hub_contracts.events.common import (
    Actor,
    ChildIdentifiers,
    HouseholdMember,
    LongText,
    Ref,
    ShortText,
    ValueModel,
)

AGENCY_SERVICES = ("police-feed", "health-feed", "education", "early-help", "social-care")


@register
class EnquiryRequested(EventPayload):
    """The hub asks one agency what it holds about a child and household."""

    event_name: ClassVar[str] = "enquiry-requested"
    producers: ClassVar[tuple[str, ...]] = ("front-door",)

    enquiry_id: Ref = Field(description="The hub's id for this enquiry; the answer quotes it.")
    contact_id: Ref = Field(description="The contact the enquiry is for.")
    target_agency: Agency = Field(description="The agency asked; other agencies ignore it.")
    child: ChildIdentifiers = Field(description="What the agency needs to find the child.")
    household: tuple[HouseholdMember, ...] = Field(
        default=(), max_length=30, description="Household members to search for as well."
    )
    purpose: ShortText = Field(description="What the hub needs to know, and why.")
    rag_rating: RagRating = Field(description="Urgency of the contact.")
    respond_by: AwareDatetime = Field(description="Deadline for the answer.")


class FactHeld(ValueModel):
    """One thing an agency holds that is relevant to the enquiry."""

    kind: ShortText = Field(
        description="What sort of record, e.g. 'domestic-abuse-incident', 'a-and-e-attendance', "
        "'attendance-concern', 'open-case'."
    )
    summary: LongText = Field(description="What is relevant, in the agency's words.")
    occurred_at: AwareDatetime | None = Field(default=None, description="When it happened.")
    agency_reference: Ref = Field(description="The agency's reference for the record.")


class InformationHeld(ValueModel):
    """The agency holds relevant information and shares it."""

    kind: Literal["information-held"] = Field(description="Answer kind.")
    facts: tuple[FactHeld, ...] = Field(
        min_length=1, max_length=100, description="What is held, at least one fact."
    )


class NothingHeld(ValueModel):
    """The agency searched and holds nothing relevant."""

    kind: Literal["nothing-held"] = Field(description="Answer kind.")


class NotShared(ValueModel):
    """The agency holds information but decided not to share it (a recorded decision)."""

    kind: Literal["not-shared"] = Field(description="Answer kind.")
    reason: LongText = Field(description="Why it is not shared, e.g. would prejudice an inquiry.")
    decided_by: Actor = Field(description="Who decided not to share (user or role id).")


EnquiryAnswer = Annotated[InformationHeld | NothingHeld | NotShared, Field(discriminator="kind")]


@register
class EnquiryAnswered(EventPayload):
    """An agency's answer to an enquiry: information held, nothing held, or not shared."""

    event_name: ClassVar[str] = "enquiry-answered"
    producers: ClassVar[tuple[str, ...]] = AGENCY_SERVICES

    enquiry_id: Ref = Field(description="The enquiry answered.")
    answering_agency: Agency = Field(description="The agency that answers.")
    answer: EnquiryAnswer = Field(description="The answer; its kind says which shape it has.")
    answered_by: Actor = Field(
        description="Who answered at the agency (user id, for the agency's own audit)."
    )
    answered_by_role: ShortText = Field(description="Their role, e.g. 'MASH police researcher'.")
    answered_at: AwareDatetime = Field(description="When it was answered.")
