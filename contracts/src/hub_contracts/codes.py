"""Code lists of the contracts: DfE / Standard Safeguarding Dataset codes, and the hub's own.

The DfE lists follow ``hub_contracts/reference/codes.yaml`` (Data to Insight's Standard
Safeguarding Dataset, which follows the Children in Need census); a unit test
checks them against that file both ways. Each member's meaning is in
``DESCRIPTIONS`` (and ``member.description``), so documents and screens never
invent their own wording.
"""

from __future__ import annotations

from enum import StrEnum


class CodeList(StrEnum):
    """A code list whose members carry a human-readable meaning."""

    @property
    def description(self) -> str:
        """What the code means, as the source code list says it."""
        return DESCRIPTIONS[type(self)][self]


class ReferralSource(CodeList):
    """Who raised the concern: CIN census referral source (SSD050; contact source SSD037)."""

    INDIVIDUAL_FAMILY = "1A"
    INDIVIDUAL_ACQUAINTANCE = "1B"
    INDIVIDUAL_SELF = "1C"
    INDIVIDUAL_OTHER = "1D"
    SCHOOLS = "2A"
    EDUCATION_SERVICES = "2B"
    HEALTH_GP = "3A"
    HEALTH_VISITOR = "3B"
    HEALTH_SCHOOL_NURSE = "3C"
    HEALTH_OTHER_PRIMARY = "3D"
    HEALTH_A_AND_E = "3E"
    HEALTH_OTHER = "3F"
    HOUSING = "4"
    LA_SOCIAL_CARE = "5A"
    LA_OTHER_INTERNAL = "5B"
    LA_EXTERNAL = "5C"
    LA_EARLY_HELP = "5D"
    POLICE = "6"
    OTHER_LEGAL_AGENCY = "7"
    OTHER = "8"
    ANONYMOUS = "9"
    UNKNOWN = "10"


class ContactOutcome(CodeList):
    """What the hub decided about a contact: SSD038, plus the hub's s47 route.

    ``STRATEGY_DISCUSSION`` is a hub addition (not an SSD038 value): a contact
    where there is reasonable cause to suspect significant harm goes straight
    to a strategy discussion (Children Act 1989 s47). Return it as
    ``CIN Referral`` when filling the SSD.
    """

    NO_FURTHER_ACTION = "No Further Action"
    INFORMATION_AND_ADVICE = "Information and Advice"
    EH_REFERRAL = "EH Referral"
    CIN_REFERRAL = "CIN Referral"
    STRATEGY_DISCUSSION = "Strategy Discussion"


HUB_CONTACT_OUTCOMES: frozenset[ContactOutcome] = frozenset({ContactOutcome.STRATEGY_DISCUSSION})
"""Contact outcomes the hub adds to SSD038."""


class PrimaryNeed(CodeList):
    """CIN census primary need code."""

    N1 = "N1"
    N2 = "N2"
    N3 = "N3"
    N4 = "N4"
    N5 = "N5"
    N6 = "N6"
    N7 = "N7"
    N8 = "N8"


class CategoryOfAbuse(CodeList):
    """Category of abuse of a child protection plan (SSD095)."""

    EMOTIONAL = "Emotional Abuse"
    NEGLECT = "Neglect"
    PHYSICAL = "Physical Abuse"
    SEXUAL = "Sexual Abuse"


class SendType(CodeList):
    """Primary type of special educational need (SSD224)."""

    SPLD = "SPLD"
    MLD = "MLD"
    SLD = "SLD"
    PMLD = "PMLD"
    SEMH = "SEMH"
    SLCN = "SLCN"
    HI = "HI"
    VI = "VI"
    MSI = "MSI"
    PD = "PD"
    ASD = "ASD"
    OTH = "OTH"


class CinClosureReason(CodeList):
    """CIN census closure reasons used at the end of an assessment."""

    RC8 = "RC8"
    RC9 = "RC9"


class RagRating(CodeList):
    """Screening urgency (hub's local scheme): how soon the contact must be screened."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


SCREENING_HOURS: dict[RagRating, int] = {RagRating.RED: 4, RagRating.AMBER: 24, RagRating.GREEN: 72}
"""Hours within which a contact of each rating must be screened."""


class Agency(CodeList):
    """The partner agencies of the hub (and the hub itself)."""

    POLICE = "police"
    HEALTH = "health"
    EDUCATION = "education"
    EARLY_HELP = "early-help"
    SOCIAL_CARE = "social-care"
    HUB = "hub"


AGENCY_OF_SERVICE: dict[str, Agency] = {
    "front-door": Agency.HUB,
    "police-feed": Agency.POLICE,
    "health-feed": Agency.HEALTH,
    "education": Agency.EDUCATION,
    "early-help": Agency.EARLY_HELP,
    "social-care": Agency.SOCIAL_CARE,
}
"""The agency each publishing service speaks for."""


DESCRIPTIONS: dict[type[CodeList], dict[CodeList, str]] = {
    ReferralSource: {
        ReferralSource.INDIVIDUAL_FAMILY: "INDIVIDUAL - family member, relative or carer",
        ReferralSource.INDIVIDUAL_ACQUAINTANCE: (
            "INDIVIDUAL - acquaintance (including neighbours and child minders)"
        ),
        ReferralSource.INDIVIDUAL_SELF: "INDIVIDUAL - self",
        ReferralSource.INDIVIDUAL_OTHER: "INDIVIDUAL - other (including strangers or MPs)",
        ReferralSource.SCHOOLS: "SCHOOLS",
        ReferralSource.EDUCATION_SERVICES: "EDUCATION SERVICES",
        ReferralSource.HEALTH_GP: "HEALTH SERVICES - general practitioner (GP)",
        ReferralSource.HEALTH_VISITOR: "HEALTH SERVICES - health visitor",
        ReferralSource.HEALTH_SCHOOL_NURSE: "HEALTH SERVICES - school nurse",
        ReferralSource.HEALTH_OTHER_PRIMARY: "HEALTH SERVICES - other primary health services",
        ReferralSource.HEALTH_A_AND_E: (
            "HEALTH SERVICES - A&E (accident and emergency department)"
        ),
        ReferralSource.HEALTH_OTHER: "HEALTH SERVICES - other (for example hospice)",
        ReferralSource.HOUSING: "HOUSING - local authority housing or housing association",
        ReferralSource.LA_SOCIAL_CARE: (
            "LA SERVICES - social care, for example adults social care services"
        ),
        ReferralSource.LA_OTHER_INTERNAL: (
            "LA SERVICES - other internal services, not including social care or early help"
        ),
        ReferralSource.LA_EXTERNAL: (
            "LA SERVICES - external, from another local authority's services"
        ),
        ReferralSource.LA_EARLY_HELP: "LA SERVICES - early help",
        ReferralSource.POLICE: "POLICE",
        ReferralSource.OTHER_LEGAL_AGENCY: (
            "OTHER LEGAL AGENCY - courts, probation, immigration, CAFCASS or prison"
        ),
        ReferralSource.OTHER: (
            "OTHER - children's centres, independent agency providers or voluntary organisations"
        ),
        ReferralSource.ANONYMOUS: "ANONYMOUS",
        ReferralSource.UNKNOWN: "UNKNOWN",
    },
    ContactOutcome: {
        ContactOutcome.NO_FURTHER_ACTION: "No further action",
        ContactOutcome.INFORMATION_AND_ADVICE: "Information and advice given",
        ContactOutcome.EH_REFERRAL: "Referral to early help",
        ContactOutcome.CIN_REFERRAL: "Referral to children's social care (Children Act 1989 s17)",
        ContactOutcome.STRATEGY_DISCUSSION: (
            "Hub addition: strategy discussion, reasonable cause to suspect significant harm "
            "(Children Act 1989 s47); returned as CIN Referral in the SSD"
        ),
    },
    PrimaryNeed: {
        PrimaryNeed.N1: "Abuse or neglect",
        PrimaryNeed.N2: "Child's disability",
        PrimaryNeed.N3: "Parental illness or disability",
        PrimaryNeed.N4: "Family in acute stress",
        PrimaryNeed.N5: "Family dysfunction",
        PrimaryNeed.N6: "Socially unacceptable behaviour",
        PrimaryNeed.N7: "Low income",
        PrimaryNeed.N8: "Absent parenting",
    },
    CategoryOfAbuse: {
        CategoryOfAbuse.EMOTIONAL: "Emotional abuse",
        CategoryOfAbuse.NEGLECT: "Neglect",
        CategoryOfAbuse.PHYSICAL: "Physical abuse",
        CategoryOfAbuse.SEXUAL: "Sexual abuse",
    },
    SendType: {
        SendType.SPLD: "Specific learning difficulty",
        SendType.MLD: "Moderate learning difficulty",
        SendType.SLD: "Severe learning difficulty",
        SendType.PMLD: "Profound and multiple learning difficulty",
        SendType.SEMH: "Social, emotional and mental health",
        SendType.SLCN: "Speech, language and communication needs",
        SendType.HI: "Hearing impairment",
        SendType.VI: "Vision impairment",
        SendType.MSI: "Multi-sensory impairment",
        SendType.PD: "Physical disability",
        SendType.ASD: "Autistic spectrum disorder",
        SendType.OTH: "Other difficulty",
    },
    CinClosureReason: {
        CinClosureReason.RC8: "Case closed after assessment, no further action",
        CinClosureReason.RC9: "Case closed after assessment, referred to early help",
    },
    RagRating: {
        RagRating.RED: "Screen within 4 hours",
        RagRating.AMBER: "Screen within 24 hours",
        RagRating.GREEN: "Screen within 72 hours",
    },
    Agency: {
        Agency.POLICE: "Police (Cleveland Police)",
        Agency.HEALTH: "Health: NHS trusts, GPs, 0-19 services, unscheduled care",
        Agency.EDUCATION: "Schools and the local authority's education and SEND services",
        Agency.EARLY_HELP: "The local authority's early help service",
        Agency.SOCIAL_CARE: "The local authority's children's social care",
        Agency.HUB: "The Children's Hub (multi-agency front door)",
    },
}
