"""The sharing basis every event carries: why this data may travel.

UK GDPR Art 6 (and, for special category data, a DPA 2018 Schedule 1
condition), or DPA 2018 Part 3 for law enforcement processing. Consent is one
basis among several and rarely the right one for safeguarding (DfE 2024
advice); sharing without consent must say why and who authorised it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class LawfulBasis(StrEnum):
    """The lawful basis the sender relies on."""

    PUBLIC_TASK = "uk-gdpr-6-1-e"
    """UK GDPR Art 6(1)(e): task in the public interest / official authority."""
    LEGAL_OBLIGATION = "uk-gdpr-6-1-c"
    """UK GDPR Art 6(1)(c): legal obligation (e.g. Children Act 1989 s47 duties)."""
    VITAL_INTERESTS = "uk-gdpr-6-1-d"
    """UK GDPR Art 6(1)(d): to protect someone's life."""
    CONSENT = "uk-gdpr-6-1-a"
    """UK GDPR Art 6(1)(a): consent; needs a consent record reference."""
    LAW_ENFORCEMENT = "dpa-2018-part-3"
    """DPA 2018 Part 3 (Sch 8 conditions): police processing for law enforcement."""


class SpecialCategoryCondition(StrEnum):
    """Condition for special category data (health, for instance)."""

    SAFEGUARDING_CHILDREN = "dpa-2018-sch1-para18"
    """DPA 2018 Sch 1 para 18: safeguarding of children and individuals at risk."""
    HEALTH_OR_SOCIAL_CARE = "dpa-2018-sch1-para2"
    """DPA 2018 Sch 1 para 2: health or social care purposes."""
    EXPLICIT_CONSENT = "uk-gdpr-9-2-a"
    """UK GDPR Art 9(2)(a): explicit consent."""


class Purpose(StrEnum):
    """What the recipient may use the data for; the policy is keyed by purpose."""

    SAFEGUARDING_SCREENING = "safeguarding-screening"
    """The hub deciding what happens next with a contact."""
    MULTI_AGENCY_ENQUIRY = "multi-agency-enquiry"
    """Answering or asking what an agency holds about a child."""
    REFERRAL = "referral"
    """Routing a child to early help or social care, step-up and step-down."""
    OPERATION_ENCOMPASS = "operation-encompass"
    """Telling a school's designated safeguarding lead about domestic abuse."""
    UNSCHEDULED_CARE_FLAG = "unscheduled-care-flag"
    """CP-IS-style flags for unscheduled-care settings and access notifications."""
    OUTCOME_FEEDBACK = "outcome-feedback"
    """Telling the referrer what was decided."""
    RECORDS_MANAGEMENT = "records-management"
    """Consent withdrawal, purge and audit: acting on records, not reading them."""


class SharingBasis(BaseModel):
    """Why an event may be shared: basis, purpose, and consent or override details."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lawful_basis: LawfulBasis = Field(description="The lawful basis the sender relies on.")
    purpose: Purpose = Field(description="The purpose the data is shared for.")
    special_category_condition: SpecialCategoryCondition | None = Field(
        default=None, description="Condition for special category (e.g. health) data, if any."
    )
    consent_ref: str | None = Field(
        default=None,
        max_length=100,
        description="Id of the consent record relied on; required when the basis is consent.",
    )
    override_reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why this is shared without (or against) consent; needs an authoriser.",
    )
    authorised_by: str | None = Field(
        default=None,
        max_length=100,
        description="Who authorised sharing without consent (user or role id, never a name).",
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.lawful_basis is LawfulBasis.CONSENT and not self.consent_ref:
            raise ValueError("consent basis needs consent_ref (the consent record relied on)")
        if bool(self.override_reason) != bool(self.authorised_by):
            raise ValueError("sharing without consent needs both override_reason and authorised_by")
        return self
