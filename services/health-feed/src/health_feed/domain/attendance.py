"""An unscheduled-care attendance read from a FHIR Bundle (pure: no I/O).

Bundles are parsed with ``fhir.resources.R4B``: fhir.resources 8 defaults to
R5, and R4B is the release closest to R4 (UK Core is R4). On top of the FHIR
structure the hub needs, like UK Core: exactly one Patient with a name, a
birth date and a gender; exactly one Encounter of class
``EMER`` with a start time; optionally active Flags. A safeguarding Flag is a
SNOMED CT code from ``codes.SAFEGUARDING_CONCERN_CODES``.

Refusals name the resource and field at fault, never the value sent.

A concern is never refused for its NHS number. A child without one, or with
one that fails the format or Modulus 11 check, is accepted: the number as sent
is kept (``nhs_number_as_stated``) and marked, and only a number that passes
the check **and** is not marked by the sender as unverified goes on the
child's record for linking. UK Core's ``NHSNumberVerificationStatus`` ``01``
("present and verified") is verified; any other code (``02`` "present but not
traced", ...) keeps the number out of ``ChildAsStated.nhs_number``, so the
hub finds candidates for a person to confirm instead of linking on it. A
number sent without a verification status is taken as the sender states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.reference import Reference
from hub_contracts.events import Address, CareSetting, ChildAsStated, Sex
from hub_contracts.events.common import POSTCODE_PATTERN
from hub_contracts.identifiers import normalise_nhs_number
from pydantic import ValidationError

from health_feed.domain.codes import (
    ACT_CODE_SYSTEM,
    ADMINISTRATIVE_GENDERS,
    ECDS_DEPARTMENT_TYPE_SYSTEM,
    ECDS_DEPARTMENT_TYPES,
    EMERGENCY_CLASS,
    NHS_NUMBER_SYSTEM,
    ODS_CODE_PATTERN,
    ODS_ORGANISATION_SYSTEM,
    SAFEGUARDING_CONCERN_CODES,
    SNOMED_CT,
)

INVALID_FHIR = "invalid-fhir"
INVALID_NHS_NUMBER = "invalid-nhs-number"
MAX_NAME = 100
_ODS_RE = re.compile(ODS_CODE_PATTERN)
_POSTCODE_RE = re.compile(POSTCODE_PATTERN)


class BundleRefused(Exception):
    """The bundle cannot be accepted; ``reason`` is machine-readable, ``where`` says why."""

    def __init__(self, reason: str, where: str) -> None:
        super().__init__(f"{reason}: {where}")
        self.reason = reason
        self.where = where


class NhsNumberStatus(StrEnum):
    """What health-feed made of the NHS number a bundle sent."""

    VERIFIED = "verified"
    """Passes the checks; UK Core verification status 01."""
    AS_SENT = "as-sent"
    """Passes the checks; no verification status was sent."""
    UNVERIFIED = "unverified"
    """Passes the checks, but the sender's verification status is not 01: not linked on."""
    INVALID = "invalid"
    """Fails the format or Modulus 11 check: kept as stated, never linked on."""
    CONFLICTING = "conflicting"
    """More than one different NHS number: kept, never linked on."""
    ABSENT = "absent"


LINKABLE = frozenset({NhsNumberStatus.VERIFIED, NhsNumberStatus.AS_SENT})
VERIFICATION_STATUS_URL = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
)
VERIFIED_CODE = "01"


def _invalid(where: str) -> BundleRefused:
    return BundleRefused(INVALID_FHIR, where)


@dataclass(frozen=True)
class SafeguardingFlag:
    """An active FHIR Flag with a safeguarding concern code."""

    code: str
    display: str
    note: str | None
    """The clinician's free text (``Flag.code.text``), if any."""


@dataclass(frozen=True)
class Attendance:
    """What health-feed keeps of one unscheduled-care attendance."""

    child: ChildAsStated
    setting: CareSetting
    arrived_at: datetime
    ods_code: str | None
    organisation_name: str | None
    encounter_id: str | None
    flags: tuple[SafeguardingFlag, ...]
    nhs_number_as_stated: str | None = None
    """The NHS number exactly as sent (trimmed), whatever its state."""
    nhs_number_status: NhsNumberStatus = NhsNumberStatus.ABSENT

    @property
    def nhs_number(self) -> str | None:
        """The NHS number the hub may link on (valid, and not marked unverified); else None."""
        return self.child.nhs_number

    @property
    def person_id(self) -> str:
        """health-feed's id for the child: the NHS number it may link on, else its own id."""
        return self.child.agency_person_id

    @property
    def has_safeguarding_flag(self) -> bool:
        return bool(self.flags)


def read_attendance(document: dict[str, Any], record_id: str = "bundle") -> Attendance:
    """The attendance a FHIR Bundle describes; ``BundleRefused`` says what is wrong.

    ``record_id`` (the sender's bundle id) names a child who has no NHS number the hub may
    link on and no ``Patient.id``.
    """
    bundle = _parse_bundle(document)
    resources = [e.resource for e in bundle.entry or [] if e.resource is not None]
    patients = [r for r in resources if isinstance(r, Patient)]
    encounters = [r for r in resources if isinstance(r, Encounter)]
    if len(patients) != 1:
        raise _invalid(f"Bundle: expected exactly one Patient, found {len(patients)}")
    if len(encounters) != 1:
        raise _invalid(f"Bundle: expected exactly one Encounter, found {len(encounters)}")
    stated, status, usable = _nhs_number(patients[0])
    child = _child(patients[0], usable, patients[0].id or f"{record_id}-patient")
    encounter = encounters[0]
    setting = _setting(encounter)
    ods_code, organisation_name = _service_provider(encounter, bundle)
    flags = tuple(f for r in resources if isinstance(r, Flag) and (f := _safeguarding(r)))
    return Attendance(
        child=child,
        setting=setting,
        arrived_at=_arrival(encounter),
        ods_code=ods_code,
        organisation_name=organisation_name,
        encounter_id=encounter.id,
        flags=flags,
        nhs_number_as_stated=stated,
        nhs_number_status=status,
    )


def _parse_bundle(document: dict[str, Any]) -> Bundle:
    kind = document.get("resourceType")
    if kind != "Bundle":
        raise _invalid(f"Bundle: resourceType must be 'Bundle', not {str(kind)[:40]!r}")
    entries = document.get("entry")
    if not isinstance(entries, list) or not entries:
        raise _invalid("Bundle.entry: a bundle needs its entries (Patient, Encounter)")
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise _invalid(f"Bundle.entry[{i}].resource: a resource with a resourceType")
    try:
        return Bundle.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _invalid(f"{_where(document, first['loc'])}: {first['msg'][:200]}") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # fhir.resources raises KeyError for a resourceType it does not know
        raise _invalid(
            f"Bundle: not a FHIR R4 bundle ({type(exc).__name__}, e.g. unknown resourceType)"
        ) from exc


def _where(document: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """``Bundle.entry[0].resource(Patient).birthDate`` for a pydantic error location."""
    path = "Bundle"
    node: Any = document
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}"
        node = _child_node(node, part)
        if part == "resource" and isinstance(node, dict) and "resourceType" in node:
            path += f"({node['resourceType']})"
    return path


def _child_node(node: Any, part: int | str) -> Any:
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    if isinstance(node, dict):
        return node.get(part)
    return None


def _nhs_number(patient: Patient) -> tuple[str | None, NhsNumberStatus, str | None]:
    """The NHS number as stated, what it is, and the number the hub may link on (if any)."""
    identifiers = [i for i in patient.identifier or [] if i.system == NHS_NUMBER_SYSTEM and i.value]
    values = sorted({str(i.value).strip() for i in identifiers})
    if not values:
        return None, NhsNumberStatus.ABSENT, None
    stated = values[0][:40]
    if len(values) > 1:
        return ", ".join(v[:40] for v in values), NhsNumberStatus.CONFLICTING, None
    try:
        number = normalise_nhs_number(values[0])
    except ValueError:
        return stated, NhsNumberStatus.INVALID, None
    codes = {
        str(c.code)
        for i in identifiers
        for e in i.extension or []
        if e.url == VERIFICATION_STATUS_URL and e.valueCodeableConcept is not None
        for c in e.valueCodeableConcept.coding or []
        if c.code
    }
    if not codes:
        return stated, NhsNumberStatus.AS_SENT, number
    if codes == {VERIFIED_CODE}:
        return stated, NhsNumberStatus.VERIFIED, number
    return stated, NhsNumberStatus.UNVERIFIED, None


def _child(patient: Patient, nhs_number: str | None, own_id: str) -> ChildAsStated:
    name = _official_name(patient.name or [])
    family = (name.family or "").strip() if name else ""
    given = next((g.strip() for g in (name.given or []) if g and g.strip()), "") if name else ""
    if not family or not given:
        raise _invalid("Patient.name: a family name and a given name are required")
    if len(family) > MAX_NAME or len(given) > MAX_NAME:
        raise _invalid(f"Patient.name: names are limited to {MAX_NAME} characters")
    if not isinstance(patient.birthDate, date):
        raise _invalid("Patient.birthDate: required")
    if patient.gender not in ADMINISTRATIVE_GENDERS:
        raise _invalid("Patient.gender: required, one of male, female, other, unknown")
    return ChildAsStated(
        agency_person_id=nhs_number or own_id[:100],
        given_name=given,
        family_name=family,
        date_of_birth=patient.birthDate,
        sex=Sex(patient.gender),
        nhs_number=nhs_number,
        address=_address(patient),
    )


def _official_name(names: list[HumanName]) -> HumanName | None:
    for name in names:
        if name.use == "official":
            return name
    return names[0] if names else None


def _address(patient: Patient) -> Address | None:
    """The home (or first) address; a malformed postcode is dropped, not the attendance."""
    addresses = patient.address or []
    home = next((a for a in addresses if a.use == "home"), addresses[0] if addresses else None)
    if home is None:
        return None
    lines = tuple(line.strip()[:500] for line in home.line or [] if line and line.strip())[:4]
    if not lines:
        return None
    postcode = " ".join((home.postalCode or "").upper().split())
    if postcode and " " not in postcode and len(postcode) > 4:
        postcode = f"{postcode[:-3]} {postcode[-3:]}"
    town = (home.city or "").strip()[:MAX_NAME] or None
    return Address(
        lines=lines, town=town, postcode=postcode if _POSTCODE_RE.fullmatch(postcode) else None
    )


def _setting(encounter: Encounter) -> CareSetting:
    coding = encounter.class_fhir
    if coding is None or coding.code != EMERGENCY_CLASS:
        raise _invalid(
            f"Encounter.class: unscheduled care is class {EMERGENCY_CLASS} ({ACT_CODE_SYSTEM})"
        )
    if coding.system not in (None, ACT_CODE_SYSTEM):
        raise _invalid(f"Encounter.class.system: expected {ACT_CODE_SYSTEM}")
    for concept in encounter.type or []:
        for code in concept.coding or []:
            if code.system == ECDS_DEPARTMENT_TYPE_SYSTEM:
                setting = ECDS_DEPARTMENT_TYPES.get(code.code or "")
                if setting is None:
                    raise _invalid("Encounter.type: unknown ECDS department type (01-04)")
                return setting
    return CareSetting.EMERGENCY_DEPARTMENT


def _arrival(encounter: Encounter) -> datetime:
    start = encounter.period.start if encounter.period else None
    if not isinstance(start, datetime) or start.tzinfo is None:
        raise _invalid("Encounter.period.start: the arrival date-time (with time zone) is required")
    return start


def _service_provider(encounter: Encounter, bundle: Bundle) -> tuple[str | None, str | None]:
    """The ODS code and name of the provider, from the reference or a bundled Organization."""
    reference: Reference | None = encounter.serviceProvider
    if reference is None:
        return None, None
    ods: str | None = None
    name = reference.display
    if reference.identifier is not None and reference.identifier.system == ODS_ORGANISATION_SYSTEM:
        ods = reference.identifier.value
    organisation = _resolve(reference, bundle)
    if organisation is not None:
        name = name or organisation.name
        for identifier in organisation.identifier or []:
            if identifier.system == ODS_ORGANISATION_SYSTEM and ods is None:
                ods = identifier.value
    if ods is not None:
        ods = ods.strip().upper()
        if not _ODS_RE.fullmatch(ods):
            raise _invalid("Encounter.serviceProvider: an ODS code is 3 to 6 letters and digits")
    return ods, (name.strip()[:500] if name and name.strip() else None)


def _resolve(reference: Reference, bundle: Bundle) -> Organization | None:
    target = reference.reference
    if not target:
        return None
    for entry in bundle.entry or []:
        resource = entry.resource
        if not isinstance(resource, Organization):
            continue
        if target in (entry.fullUrl, f"Organization/{resource.id}"):
            return resource
    return None


def _safeguarding(flag: Flag) -> SafeguardingFlag | None:
    if flag.status != "active":
        return None
    concept: CodeableConcept = flag.code
    for coding in concept.coding or []:
        display = SAFEGUARDING_CONCERN_CODES.get(coding.code or "")
        if coding.system == SNOMED_CT and coding.code and display:
            note = (concept.text or "").strip() or None
            return SafeguardingFlag(code=coding.code, display=display, note=note)
    return None
