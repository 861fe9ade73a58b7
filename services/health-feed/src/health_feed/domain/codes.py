"""The FHIR systems and codes health-feed reads, each with where it comes from.

Kept in one place so the README, the parser and the tests agree on exactly
which codes are accepted.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from hub_contracts.codes import ReferralSource
from hub_contracts.events import CareSetting

NHS_NUMBER_SYSTEM: Final = "https://fhir.nhs.uk/Id/nhs-number"
"""Identifier system of the NHS number (UK Core Patient)."""
ODS_ORGANISATION_SYSTEM: Final = "https://fhir.nhs.uk/Id/ods-organization-code"
"""Identifier system of an NHS ODS organisation code."""
ODS_CODE_PATTERN: Final = r"^[A-Z0-9]{3,6}$"
"""An ODS code as the ``record-accessed`` contract accepts it."""
SNOMED_CT: Final = "http://snomed.info/sct"
ACT_CODE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
"""HL7 v3 ActCode: the code system of R4 ``Encounter.class``."""
EMERGENCY_CLASS: Final = "EMER"
"""``Encounter.class`` of unscheduled (emergency and urgent) care."""

ECDS_DEPARTMENT_TYPE_SYSTEM: Final = (
    "https://www.datadictionary.nhs.uk/data_elements/emergency_care_department_type.html"
)
"""NHS Data Dictionary EMERGENCY CARE DEPARTMENT TYPE (ECDS), read from ``Encounter.type``.

No FHIR code system URI for it could be confirmed, so the hub uses the Data
Dictionary page as the system; the codes themselves are the national codes.
"""
ECDS_DEPARTMENT_TYPES: Final = MappingProxyType(
    {
        "01": CareSetting.EMERGENCY_DEPARTMENT,  # consultant-led 24-hour emergency department
        "02": CareSetting.EMERGENCY_DEPARTMENT,  # consultant-led mono-specialty emergency service
        "03": CareSetting.URGENT_TREATMENT_CENTRE,  # other A&E / minor injury, includes UTCs
        "04": CareSetting.WALK_IN_CENTRE,  # NHS walk-in centre
    }
)
"""ECDS department type -> care setting; without one, an ``EMER`` encounter is an ED."""

SAFEGUARDING_CONCERN_CODES: Final = MappingProxyType(
    {
        "836881000000105": "Child is cause for safeguarding concern",
        "1064961000000107": "Child in family is safeguarding concern",
        "878111000000109": "Unborn child is cause for safeguarding concern",
        "1076171000000104": "Carer behaviour is cause for safeguarding concern",
    }
)
"""SNOMED CT (UK edition) codes of an active ``Flag`` that raise a concern.

The first three are the RCGP safeguarding coding guidance's codes for a
safeguarding concern about a child; the fourth is the SNOMED CT situation for
a carer's behaviour. (225337009, sometimes quoted, is *suicide risk
assessment*, not a safeguarding concept.)
"""

ADMINISTRATIVE_GENDERS: Final = frozenset({"male", "female", "other", "unknown"})
"""FHIR administrative-gender codes (fhir.resources does not enforce the binding)."""

REFERRAL_SOURCE_OF_SETTING: Final = MappingProxyType(
    {
        CareSetting.EMERGENCY_DEPARTMENT: ReferralSource.HEALTH_A_AND_E,
        CareSetting.URGENT_TREATMENT_CENTRE: ReferralSource.HEALTH_A_AND_E,
        CareSetting.WALK_IN_CENTRE: ReferralSource.HEALTH_A_AND_E,
    }
)
"""CIN census referral source of a concern raised at each setting (ECDS types 01-04 are A&E)."""
