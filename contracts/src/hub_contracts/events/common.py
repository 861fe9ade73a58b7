"""Value models and hub code lists shared by several contract events.

A child is described *as the sending agency holds it* (``ChildAsStated``): the
hub links these descriptions into one person, never the sender.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from hub_contracts.identifiers import NhsNumber, Upn

Ref = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
"""An identifier issued by some system (contact id, police reference, ...)."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
"""A person's given or family name, as recorded."""
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
"""A reason, a role or a short statement."""
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
"""A narrative (concern summary, what the child said)."""
Actor = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$")
]
"""Who did something: a user or role id (``user:hub-0042``, ``role:dsl``), never a name."""
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
URN_PATTERN = r"^[0-9]{6}$"
"""A school's unique reference number (GIAS URN)."""
LA_CODE_PATTERN = r"^[0-9]{3}$"
"""A DfE local authority number (Hartlepool 805, Stockton-on-Tees 808)."""


class ValueModel(BaseModel):
    """Base of value models inside payloads: frozen, closed."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Sex(StrEnum):
    """Administrative sex as recorded (FHIR administrative-gender values)."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class Relationship(StrEnum):
    """How a person is related to the child."""

    MOTHER = "mother"
    FATHER = "father"
    STEP_PARENT = "step-parent"
    PARENTS_PARTNER = "parents-partner"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    OTHER_RELATIVE = "other-relative"
    FOSTER_CARER = "foster-carer"
    SPECIAL_GUARDIAN = "special-guardian"
    LODGER = "lodger"
    OTHER = "other"


class StatusKind(StrEnum):
    """A social care status that other agencies must know about."""

    CHILD_IN_NEED = "child-in-need"
    CHILD_PROTECTION_PLAN = "child-protection-plan"
    LOOKED_AFTER = "looked-after"


class Address(ValueModel):
    """A postal address as recorded by the agency."""

    lines: tuple[ShortText, ...] = Field(
        min_length=1, max_length=4, description="Address lines, house first, without town."
    )
    town: Name | None = Field(default=None, description="Post town.")
    postcode: str | None = Field(
        default=None,
        pattern=POSTCODE_PATTERN,
        description="UK postcode in capitals, e.g. 'TS18 1AA'.",
    )
    uprn: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,12}$",
        description="Unique property reference number, when the agency holds it.",
    )


class ChildAsStated(ValueModel):
    """The child as the sending agency records them; the hub does the linking."""

    agency_person_id: Ref = Field(description="The sending agency's own id for the child.")
    given_name: Name = Field(description="Given name as recorded.")
    family_name: Name = Field(description="Family name as recorded.")
    date_of_birth: date | None = Field(
        default=None, description="Date of birth; absent when unknown (or unborn)."
    )
    sex: Sex = Field(default=Sex.UNKNOWN, description="Administrative sex as recorded.")
    nhs_number: NhsNumber | None = Field(
        default=None, description="Verified NHS number, the strongest link the hub can use."
    )
    upn: Upn | None = Field(default=None, description="Unique pupil number, from education.")
    address: Address | None = Field(default=None, description="Where the child lives.")


class HouseholdMember(ValueModel):
    """Someone in the child's household, or significant to the concern."""

    agency_person_id: Ref | None = Field(
        default=None, description="The sending agency's own id for this person, if any."
    )
    given_name: Name = Field(description="Given name as recorded.")
    family_name: Name = Field(description="Family name as recorded.")
    date_of_birth: date | None = Field(default=None, description="Date of birth, if known.")
    relationship_to_child: Relationship = Field(description="How they relate to the child.")
    lives_with_child: bool = Field(description="Whether they live at the child's address.")


class ChildIdentifiers(ValueModel):
    """What an agency needs to find a child in its own records; nothing more."""

    given_name: Name = Field(description="Given name as the hub holds it.")
    family_name: Name = Field(description="Family name as the hub holds it.")
    date_of_birth: date | None = Field(default=None, description="Date of birth, if known.")
    sex: Sex = Field(default=Sex.UNKNOWN, description="Administrative sex.")
    nhs_number: NhsNumber | None = Field(default=None, description="NHS number, if verified.")
    upn: Upn | None = Field(default=None, description="Unique pupil number, if known.")
    agency_person_id: Ref | None = Field(
        default=None,
        description="The receiving agency's own id for the child, when the hub has linked it.",
    )
    address: Address | None = Field(default=None, description="Current address, if known.")


class ResponsibleAuthority(ValueModel):
    """The local authority responsible for a child's plan, and how to reach it."""

    name: ShortText = Field(description="Local authority name, e.g. 'Stockton-on-Tees'.")
    la_code: str = Field(pattern=LA_CODE_PATTERN, description="DfE local authority number.")
    in_hours_phone: str = Field(
        pattern=r"^\+?[0-9 ]{10,16}$", description="Children's services number, office hours."
    )
    out_of_hours_phone: str = Field(
        pattern=r"^\+?[0-9 ]{10,16}$", description="Emergency duty team number, out of hours."
    )


class ConsentGiver(ValueModel):
    """Who gave (or withdrew) consent: their relationship first, a name is not enough."""

    relationship: Relationship | None = Field(
        default=None,
        description="Relationship to the child; absent only when the child consents.",
    )
    is_child: bool = Field(default=False, description="True when the child themself consents.")
    has_parental_responsibility: bool = Field(
        description="Whether the giver holds parental responsibility for the child."
    )
    competence_assessed: bool | None = Field(
        default=None,
        description="For a child giving consent: whether Gillick competence was assessed.",
    )
    agency_person_id: Ref | None = Field(
        default=None, description="The recording agency's id for the giver, if any."
    )

    @model_validator(mode="after")
    def _relationship_or_child(self) -> Self:
        if self.is_child == (self.relationship is not None):
            raise ValueError("give relationship for an adult giver, or is_child for the child")
        if self.is_child and self.competence_assessed is None:
            raise ValueError("a child's consent must say whether competence was assessed")
        return self
