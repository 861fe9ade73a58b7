"""FHIR Bundles in XML: UK Core's published Patient example, read as the JSON path reads it."""

from __future__ import annotations

import pytest
from health_feed.domain.attendance import BundleRefused, read_attendance
from health_feed.domain.concern import concern_raised
from health_feed.domain.fhir_formats import bundle_from_json, bundle_from_xml, record_id_of
from health_feed_examples import RICHARD_SMITH_NHS_NUMBER, uk_core_xml_bundle
from hub_contracts.events import CareSetting, Sex


def test_the_uk_core_patient_example_in_an_xml_bundle_raises_a_concern() -> None:
    bundle = bundle_from_xml(uk_core_xml_bundle("rvw-ed-1"))
    assert bundle["resourceType"] == "Bundle"
    assert record_id_of(bundle) == "rvw-ed-1"
    attendance = read_attendance(bundle)
    child = attendance.child
    assert (child.given_name, child.family_name) == ("Richard", "SMITH")
    assert attendance.nhs_number == RICHARD_SMITH_NHS_NUMBER
    assert child.sex is Sex.MALE
    assert str(child.date_of_birth) == "1970-09-11"
    assert child.address is not None
    assert child.address.postcode == "LS17 7DF"
    assert attendance.setting is CareSetting.EMERGENCY_DEPARTMENT
    assert attendance.ods_code == "RVW"
    assert [f.code for f in attendance.flags] == ["836881000000105"]
    concern = concern_raised("rvw-ed-1", attendance, None)
    assert concern is not None
    assert "Injury not consistent" in concern.concern_summary


def test_without_a_safeguarding_flag_the_attendance_raises_no_concern() -> None:
    attendance = read_attendance(bundle_from_xml(uk_core_xml_bundle(flag=False)))
    assert attendance.flags == ()
    assert concern_raised("rvw-ed-2", attendance, None) is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE Bundle [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Bundle xmlns="http://hl7.org/fhir"><id value="&x;"/></Bundle>',
            "DOCTYPE",
            id="external-entity",
        ),
        pytest.param(
            b"<Bundle xmlns='http://hl7.org/fhir'><id value='x'>", "well-formed", id="cut"
        ),
        pytest.param(
            b'<Patient xmlns="http://hl7.org/fhir"><id value="p"/></Patient>',
            "root must be <Bundle",
            id="not-a-bundle",
        ),
        pytest.param(b'<Bundle><id value="x"/></Bundle>', "root must be <Bundle", id="no-ns"),
        pytest.param(
            b'<Bundle xmlns="http://hl7.org/fhir"><timestamp value="yesterday"/></Bundle>',
            "Bundle (XML)",
            id="bad-code",
        ),
    ],
)
def test_bad_xml_is_refused_as_invalid_fhir_without_echoing_it(body: bytes, says: str) -> None:
    with pytest.raises(BundleRefused) as refused:
        bundle_from_xml(body)
    assert refused.value.reason == "invalid-fhir"
    assert says in refused.value.where
    assert "passwd" not in refused.value.where


def test_a_bundle_needs_an_id_to_be_idempotent() -> None:
    assert record_id_of({"resourceType": "Bundle", "identifier": {"value": "m-1"}}) == "m-1"
    assert record_id_of({"resourceType": "Bundle", "id": "b-1"}) == "b-1"
    with pytest.raises(BundleRefused) as refused:
        record_id_of({"resourceType": "Bundle"})
    assert "Bundle.identifier.value or Bundle.id" in refused.value.where
    with pytest.raises(BundleRefused) as malformed:
        bundle_from_json(b"{not json")
    assert malformed.value.reason == "malformed-json"
