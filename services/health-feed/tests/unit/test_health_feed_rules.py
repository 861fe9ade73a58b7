"""Pure rules of health-feed: reading FHIR bundles, concerns, and CP-IS flags."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

import pytest
from health_feed.domain.attendance import (
    INVALID_FHIR,
    VERIFICATION_STATUS_URL,
    BundleRefused,
    NhsNumberStatus,
    read_attendance,
)
from health_feed.domain.concern import attendance_fact, concern_raised
from health_feed.domain.cp_is import (
    FlagStatus,
    StatusChange,
    apply_change,
    months_before,
    shown_statuses,
)
from health_feed.domain.records import FhirBundleRecord
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.events import CareSetting, ResponsibleAuthority, Sex, StatusKind

BundleFactory = Callable[..., dict[str, Any]]
STOCKTON = ResponsibleAuthority(
    name="Stockton-on-Tees",
    la_code="808",
    in_hours_phone="01642 130080",
    out_of_hours_phone="01642 524552",
)


def refusal(bundle: dict[str, Any]) -> BundleRefused:
    with pytest.raises(BundleRefused) as caught:
        read_attendance(bundle)
    return caught.value


# -- reading bundles -----------------------------------------------------------------------
def test_an_a_and_e_bundle_gives_the_child_the_setting_and_the_flag(
    make_bundle: BundleFactory,
) -> None:
    attendance = read_attendance(make_bundle())
    child = attendance.child
    assert (child.agency_person_id, child.nhs_number) == ("9434760003", "9434760003")
    assert (child.given_name, child.family_name, child.sex) == ("Oliver", "Brown", Sex.MALE)
    assert child.date_of_birth == date(2012, 7, 15)
    assert child.address is not None
    assert child.address.postcode == "TS17 6AB"
    assert attendance.setting is CareSetting.EMERGENCY_DEPARTMENT
    assert attendance.arrived_at == datetime(2026, 11, 19, 21, 40, tzinfo=UTC)
    assert attendance.ods_code == "RVW"
    assert attendance.organisation_name == "University Hospital of North Tees"
    assert [f.code for f in attendance.flags] == ["836881000000105"]
    assert attendance.flags[0].note == "Injury not consistent with the explanation given."


@pytest.mark.parametrize(
    ("department_type", "setting"),
    [
        ("01", CareSetting.EMERGENCY_DEPARTMENT),
        ("03", CareSetting.URGENT_TREATMENT_CENTRE),
        ("04", CareSetting.WALK_IN_CENTRE),
    ],
)
def test_the_ecds_department_type_says_which_unscheduled_care_setting(
    make_bundle: BundleFactory, department_type: str, setting: CareSetting
) -> None:
    assert read_attendance(make_bundle(department_type=department_type)).setting is setting


def test_flags_that_are_inactive_or_not_safeguarding_raise_nothing(
    make_bundle: BundleFactory,
) -> None:
    assert read_attendance(make_bundle(flag_status="inactive")).flags == ()
    assert read_attendance(make_bundle(flag="225337009")).flags == ()  # suicide risk assessment
    assert read_attendance(make_bundle(flag=None)).flags == ()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: {**b, "resourceType": "Patient"}, "Bundle: resourceType"),
        (lambda b: {**b, "entry": []}, "Bundle.entry"),
        (lambda b: {k: v for k, v in b.items() if k != "type"}, "Bundle.type"),
        (
            lambda b: {**b, "entry": [{"resource": {"resourceType": "Nonsense"}}, *b["entry"]]},
            "unknown resourceType",
        ),
        (lambda b: {**b, "entry": b["entry"][1:]}, "exactly one Patient"),
        (lambda b: {**b, "entry": [b["entry"][0], *b["entry"]]}, "exactly one Patient"),
        (lambda b: {**b, "entry": [b["entry"][0]]}, "exactly one Encounter"),
    ],
)
def test_bundles_that_are_not_an_attendance_are_invalid_fhir(
    make_bundle: BundleFactory, change: Callable[[dict[str, Any]], dict[str, Any]], where: str
) -> None:
    refused = refusal(change(make_bundle()))
    assert refused.reason == INVALID_FHIR
    assert where in refused.where


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"birth_date": "15/07/2012"}, "Bundle.entry[0].resource(Patient).birthDate"),
        ({"birth_date": None}, "Patient.birthDate"),
        ({"gender": "robot"}, "Patient.gender"),
        ({"gender": None}, "Patient.gender"),
        ({"family": ""}, "resource(Patient).name[0].family"),
        ({"family": "  "}, "Patient.name"),
        ({"arrived": None}, "Encounter.period.start"),
        ({"arrived": "2026-11-19"}, "Encounter.period.start"),
        ({"arrived": "2026-11-19T21:40:00"}, "Bundle.entry[1].resource(Encounter).period.start"),
        ({"encounter_class": "IMP"}, "Encounter.class"),
        ({"department_type": "09"}, "Encounter.type"),
        ({"ods_code": "not an ods code"}, "Encounter.serviceProvider"),
    ],
)
def test_a_broken_patient_or_encounter_is_named_in_the_refusal(
    make_bundle: BundleFactory, overrides: dict[str, Any], where: str
) -> None:
    refused = refusal(make_bundle(**overrides))
    assert refused.reason == INVALID_FHIR
    assert where in refused.where


def _with_verification(bundle: dict[str, Any], code: str) -> dict[str, Any]:
    identifier = bundle["entry"][0]["resource"]["identifier"][0]
    identifier["extension"] = [
        {
            "url": VERIFICATION_STATUS_URL,
            "valueCodeableConcept": {
                "coding": [
                    {
                        "system": "https://fhir.hl7.org.uk/CodeSystem/"
                        "UKCore-NHSNumberVerificationStatusEngland",
                        "code": code,
                    }
                ]
            },
        }
    ]
    return bundle


@pytest.mark.parametrize(
    ("bundle", "status", "linked"),
    [
        pytest.param({}, NhsNumberStatus.AS_SENT, "9434760003", id="no-status-sent"),
        pytest.param({"verification": "01"}, NhsNumberStatus.VERIFIED, "9434760003", id="01"),
        pytest.param({"verification": "02"}, NhsNumberStatus.UNVERIFIED, None, id="02"),
        pytest.param({"nhs_number": "9434760004"}, NhsNumberStatus.INVALID, None, id="mod-11"),
        pytest.param({"nhs_number": "12345"}, NhsNumberStatus.INVALID, None, id="format"),
    ],
)
def test_a_concern_is_never_refused_for_its_nhs_number(
    make_bundle: BundleFactory, bundle: dict[str, str], status: NhsNumberStatus, linked: str | None
) -> None:
    """Only a number that passes the checks, and is not marked unverified, is linked on; the
    number as sent is kept either way, and staff are told why it was not used."""
    verification = bundle.pop("verification", None)
    document = make_bundle(**bundle)
    if verification:
        document = _with_verification(document, verification)
    attendance = read_attendance(document, "ED-7")
    assert attendance.nhs_number_status is status
    assert attendance.child.nhs_number == linked
    assert attendance.nhs_number_as_stated == bundle.get("nhs_number", "9434760003")
    concern = concern_raised("ED-7", attendance, None)
    assert concern is not None
    if linked is None:
        assert attendance.person_id == "ED-7-patient"  # its own id, never the number
        assert f"NHS number as sent ({attendance.nhs_number_as_stated})" in concern.concern_summary
        assert "not used to link records" in concern.concern_summary
    else:
        assert attendance.person_id == linked
        assert "NHS number" not in concern.concern_summary


def test_a_child_without_an_nhs_number_raises_the_concern(make_bundle: BundleFactory) -> None:
    attendance = read_attendance(make_bundle(nhs_system="https://example.org/mrn"), "ED-8")
    assert attendance.nhs_number_status is NhsNumberStatus.ABSENT
    assert (attendance.nhs_number, attendance.nhs_number_as_stated) == (None, None)
    concern = concern_raised("ED-8", attendance, None)
    assert concern is not None
    assert "No NHS number was sent." in concern.concern_summary
    assert concern.child.agency_person_id == "ED-8-patient"


# -- what the hub is told --------------------------------------------------------------------
def test_a_safeguarding_flag_raises_a_concern_from_a_and_e(make_bundle: BundleFactory) -> None:
    attendance = read_attendance(make_bundle())
    concern = concern_raised("B-1", attendance, None)
    assert concern is not None
    assert concern.agency_reference.agency is Agency.HEALTH
    assert concern.agency_reference.reference == "B-1"
    assert concern.referral_source is ReferralSource.HEALTH_A_AND_E
    assert concern.rag_rating is None
    assert "Injury not consistent" in concern.concern_summary
    assert concern.occurred_at == attendance.arrived_at
    assert concern.child.nhs_number == "9434760003"
    rated = concern_raised("B-1", attendance, RagRating.RED)
    assert rated is not None
    assert rated.rag_rating is RagRating.RED


def test_no_flag_no_concern(make_bundle: BundleFactory) -> None:
    assert concern_raised("B-2", read_attendance(make_bundle(flag=None)), None) is None


def test_an_enquiry_fact_carries_no_clinical_detail(make_bundle: BundleFactory) -> None:
    attendance = read_attendance(make_bundle())
    fact = attendance_fact("B-1", "emergency-department", attendance.arrived_at, "UHNT", True)
    assert fact.kind == "a-and-e-attendance"
    assert "safeguarding concern was flagged" in fact.summary
    assert "Injury" not in fact.summary


def test_the_demo_bundles_are_valid_and_only_stocktons_raises_a_concern() -> None:
    concerns = {}
    for tenant in ("stockton", "hartlepool"):
        text = resources.files("health_feed").joinpath("demo", f"{tenant}.json").read_text()
        data = json.loads(text)
        assert data["care_settings"]
        [body] = data["records"]["fhir-bundles"]
        record = FhirBundleRecord.model_validate(body)
        attendance = read_attendance(record.bundle)
        concerns[tenant] = concern_raised(record.record_id, attendance, record.rag_rating)
    assert concerns["stockton"] is not None
    assert concerns["stockton"].child.given_name == "Oliver"
    assert concerns["hartlepool"] is None


# -- CP-IS flags --------------------------------------------------------------------------------
def change(
    change_id: str,
    kind: StatusKind = StatusKind.CHILD_PROTECTION_PLAN,
    started: date = date(2026, 1, 10),
    ended: date | None = None,
    nhs: str | None = "9434760003",
) -> StatusChange:
    return StatusChange.from_data(
        {
            "change_id": change_id,
            "status_kind": kind.value,
            "change": "ended" if ended else "started",
            "started_on": started.isoformat(),
            "ended_on": ended.isoformat() if ended else None,
            "child_nhs_number": nhs,
            "responsible_authority": STOCKTON.model_dump(mode="json"),
        }
    )


def test_an_ended_status_closes_the_one_it_started_and_changes_apply_once() -> None:
    started = apply_change([], change("C-1"))
    ended = apply_change(started, change("C-2", ended=date(2026, 6, 1)))
    assert len(ended) == 1
    assert ended[0].ended_on == date(2026, 6, 1)
    assert ended[0].change_ids == ("C-1", "C-2")
    assert apply_change(ended, change("C-2", ended=date(2026, 6, 1))) == ended
    assert apply_change(ended, change("C-1")) == ended  # a late "started" reopens nothing


def test_an_ended_status_arriving_first_is_kept() -> None:
    [status] = apply_change([], change("C-9", ended=date(2026, 6, 1)))
    assert (status.started_on, status.ended_on) == (date(2026, 1, 10), date(2026, 6, 1))


def test_checks_show_active_flags_and_those_ended_within_twelve_months() -> None:
    statuses = [
        FlagStatus(
            status_kind=StatusKind.LOOKED_AFTER,
            started_on=date(2024, 1, 1),
            ended_on=date(2025, 11, 22),
            responsible_authority=STOCKTON,
        ),
        FlagStatus(
            status_kind=StatusKind.CHILD_PROTECTION_PLAN,
            started_on=date(2026, 1, 10),
            responsible_authority=STOCKTON,
        ),
        FlagStatus(status_kind=StatusKind.CHILD_IN_NEED, started_on=date(2026, 1, 1)),
    ]
    shown = shown_statuses(statuses, date(2026, 11, 22))
    assert [(s.status_kind, s.state) for s in shown] == [
        (StatusKind.CHILD_PROTECTION_PLAN, "active"),
        (StatusKind.LOOKED_AFTER, "ended"),
    ]
    later = shown_statuses(statuses, date(2026, 11, 23))
    assert [s.status_kind for s in later] == [StatusKind.CHILD_PROTECTION_PLAN]


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(date(2026, 11, 23), 12) == date(2025, 11, 23)
    assert months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


def test_a_status_change_without_an_nhs_number_is_unmatched_and_cin_is_no_flag() -> None:
    assert change("C-1", nhs=None).nhs_number is None
    assert not change("C-1", kind=StatusKind.CHILD_IN_NEED).is_cp_is_flag
    assert change("C-1", kind=StatusKind.LOOKED_AFTER).is_cp_is_flag
