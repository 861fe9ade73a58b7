"""The records social care's case management system sends: status changes and step-downs."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Self

from hub_agency.domain import AgencyRecord
from hub_contracts.codes import CategoryOfAbuse, CinClosureReason, PrimaryNeed
from hub_contracts.events.common import (
    Actor,
    ChildAsStated,
    HouseholdMember,
    LongText,
    Ref,
    StatusKind,
)
from pydantic import AwareDatetime, Field, field_validator, model_validator

from social_care.domain.statuses import category_code, status_change_errors

Change = Literal["started", "ended"]


class StatusChangeRecord(AgencyRecord):
    """A child-in-need, child protection plan or looked-after status started or ended.

    ``record_id`` is social care's id for the change. Ending a child protection
    plan may leave out ``category_of_abuse``: the category it was opened with
    is carried on.
    """

    case_id: Ref = Field(description="Social care's case id.")
    child: ChildAsStated = Field(
        description="The child as social care records them; agency_person_id is the social "
        "care person id (e.g. 'SC-P-0001'). Give the NHS number whenever known: health's "
        "unscheduled-care flag is keyed on it."
    )
    status_kind: StatusKind = Field(description="Which status changed.")
    change: Change = Field(description="Whether the status started or ended.")
    started_on: date = Field(description="When the status started.")
    ended_on: date | None = Field(
        default=None, description="When it ended; required when, and only when, change is ended."
    )
    category_of_abuse: CategoryOfAbuse | None = Field(
        default=None,
        description="Category of a child protection plan; required when a plan starts, and "
        "allowed for child protection plans only.",
    )
    closure_reason: CinClosureReason | None = Field(
        default=None, description="CIN closure reason, when a child-in-need status ends."
    )

    @field_validator("category_of_abuse", mode="before")
    @classmethod
    def _category_in_any_case(cls, value: Any) -> Any:
        return category_code(value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        errors = status_change_errors(
            status_kind=self.status_kind,
            change=self.change,
            started_on=self.started_on,
            ended_on=self.ended_on,
            category_of_abuse=self.category_of_abuse,
            closure_reason=self.closure_reason,
        )
        if errors:
            raise ValueError("; ".join(errors))
        return self

    @property
    def person_id(self) -> str:
        """Social care's id for the child."""
        return self.child.agency_person_id


class StepDownRequestRecord(AgencyRecord):
    """Social care asks early help to carry on supporting a family after it closes its case.

    ``record_id`` is social care's id for the request.
    """

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
