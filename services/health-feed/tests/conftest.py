"""A FHIR R4 (UK Core-shaped) A&E bundle builder shared by health-feed's tests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # health_feed_examples

BundleFactory = Callable[..., dict[str, Any]]


def _bundle(
    *,
    nhs_number: str = "9434760003",
    nhs_system: str = "https://fhir.nhs.uk/Id/nhs-number",
    given: str = "Oliver",
    family: str = "Brown",
    birth_date: str | None = "2012-07-15",
    gender: str | None = "male",
    arrived: str | None = "2026-11-19T21:40:00+00:00",
    encounter_class: str = "EMER",
    department_type: str | None = None,
    ods_code: str | None = "RVW",
    flag: str | None = "836881000000105",
    flag_status: str = "active",
    note: str | None = "Injury not consistent with the explanation given.",
    extra: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": nhs_system, "value": nhs_number}],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "address": [
            {"use": "home", "line": ["4 Station Road"], "city": "Thornaby", "postalCode": "ts176ab"}
        ],
    }
    if birth_date:
        patient["birthDate"] = birth_date
    if gender:
        patient["gender"] = gender
    encounter: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": "enc-1",
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": encounter_class,
        },
        "subject": {"reference": "urn:uuid:patient"},
    }
    if arrived:
        encounter["period"] = {"start": arrived}
    if department_type:
        encounter["type"] = [
            {
                "coding": [
                    {
                        "system": "https://www.datadictionary.nhs.uk/data_elements/"
                        "emergency_care_department_type.html",
                        "code": department_type,
                    }
                ]
            }
        ]
    if ods_code:
        encounter["serviceProvider"] = {
            "identifier": {
                "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                "value": ods_code,
            },
            "display": "University Hospital of North Tees",
        }
    entries: list[dict[str, Any]] = [
        {"fullUrl": "urn:uuid:patient", "resource": patient},
        {"fullUrl": "urn:uuid:encounter", "resource": encounter},
    ]
    if flag:
        code: dict[str, Any] = {"coding": [{"system": "http://snomed.info/sct", "code": flag}]}
        if note:
            code["text"] = note
        entries.append(
            {
                "resource": {
                    "resourceType": "Flag",
                    "status": flag_status,
                    "code": code,
                    "subject": {"reference": "urn:uuid:patient"},
                }
            }
        )
    entries += [{"resource": r} for r in extra or []]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


@pytest.fixture
def make_bundle() -> BundleFactory:
    """Build an A&E bundle; keyword arguments change one thing at a time."""
    return _bundle
