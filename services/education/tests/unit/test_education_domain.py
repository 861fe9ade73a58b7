"""Pure rules of education: record validation, concern wording, facts, Encompass status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from education.adapters import mongo
from education.domain.encompass import (
    Acknowledgement,
    AcknowledgementRefused,
    AcknowledgementRequest,
    EncompassNotification,
    NotificationStatus,
    check_acknowledgement,
)
from education.domain.facts import pupil_facts
from education.domain.records import (
    SUMMARY_LIMIT,
    AttendanceConcernRecord,
    ExclusionReason,
    ExclusionRecord,
    PupilRecord,
)
from education.service_layer.records import RECORD_KINDS
from hub_contracts.codes import SendType
from hub_contracts.events.notifications import AcknowledgerRole
from pydantic import ValidationError

UPN = "B808200100022"


def pupil(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": "MIS-1",
        "child": {
            "agency_person_id": "MIS-PERSON-7",
            "given_name": "Oliver",
            "family_name": "Brown",
            "date_of_birth": "2012-07-15",
            "upn": UPN,
        },
        "school_urn": "900201",
        "year_group": "10",
        "enrolled_on": "2023-09-04",
        "sen_provision": "ehcp",
        "primary_sen_type": "ASD",
    }
    body.update(overrides)
    return body


def test_a_pupil_is_known_by_upn_whatever_the_mis_person_id() -> None:
    record = PupilRecord.model_validate(pupil())
    child = record.child_as_education_holds_it()
    assert child.agency_person_id == UPN
    assert child.upn == UPN


def test_a_pupil_without_a_upn_or_with_a_bad_one_is_refused() -> None:
    body = pupil()
    del body["child"]["upn"]
    with pytest.raises(ValidationError, match="upn is required"):
        PupilRecord.model_validate(body)
    body["child"]["upn"] = "A808200100022"  # wrong check letter
    with pytest.raises(ValidationError) as caught:
        PupilRecord.model_validate(body)
    assert caught.value.errors()[0]["loc"] == ("child", "upn")


def test_sen_type_goes_with_sen_provision_only() -> None:
    with pytest.raises(ValidationError, match="primary_sen_type is required"):
        PupilRecord.model_validate(pupil(sen_provision="sen-support", primary_sen_type=None))
    with pytest.raises(ValidationError, match="only given with"):
        PupilRecord.model_validate(pupil(sen_provision="none"))
    assert PupilRecord.model_validate(pupil(sen_provision="none", primary_sen_type=None))
    with pytest.raises(ValidationError):
        PupilRecord.model_validate(pupil(year_group="15"))


def concern(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": "ATT-1",
        "upn": UPN,
        "period_start": "2026-09-03",
        "period_end": "2026-11-13",
        "attendance_percentage": 78.5,
        "unexplained_absences": 9,
        "summary": "Attendance has fallen sharply.",
        "raise_concern": True,
    }
    body.update(overrides)
    return body


def test_attendance_concern_bounds_and_wording() -> None:
    for bad in (
        {"attendance_percentage": 100.5},
        {"unexplained_absences": -1},
        {"period_end": "2026-09-01"},
    ):
        with pytest.raises(ValidationError):
            AttendanceConcernRecord.model_validate(concern(**bad))
    record = AttendanceConcernRecord.model_validate(concern())
    assert record.concern_summary() == (
        "Attendance has fallen sharply. (attendance 78.5%; 9 unexplained absences "
        "2026-09-03 to 2026-11-13)"
    )
    assert record.occurred_at().date() == date(2026, 11, 13)
    long = AttendanceConcernRecord.model_validate(concern(summary="x" * 4000))
    assert len(long.concern_summary()) == SUMMARY_LIMIT
    assert long.concern_summary().endswith("2026-11-13)")


def exclusion(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": "EXC-1",
        "upn": UPN,
        "kind": "suspension",
        "start_date": "2026-11-09",
        "days": 2,
        "reason": "VA",
    }
    body.update(overrides)
    return body


def test_suspensions_have_days_and_permanent_exclusions_do_not() -> None:
    with pytest.raises(ValidationError, match="length in days"):
        ExclusionRecord.model_validate(exclusion(days=None))
    with pytest.raises(ValidationError, match="no length"):
        ExclusionRecord.model_validate(exclusion(kind="permanent-exclusion"))
    with pytest.raises(ValidationError):
        ExclusionRecord.model_validate(exclusion(days=1.25))
    with pytest.raises(ValidationError):
        ExclusionRecord.model_validate(exclusion(reason="OT"))
    assert ExclusionRecord.model_validate(exclusion()).description() == (
        "Suspension, 2 days from 2026-11-09: Verbal abuse or threatening behaviour against an adult"
    )
    permanent = ExclusionRecord.model_validate(
        exclusion(kind="permanent-exclusion", days=None, reason="OW", summary="Knife found.")
    )
    assert permanent.concern_summary() == (
        "Knife found. (Permanent exclusion from 2026-11-09: Use or threat of use of an "
        "offensive weapon or prohibited item)"
    )
    assert all(reason.description for reason in ExclusionReason)


def test_facts_are_short_and_hold_no_free_text() -> None:
    facts = pupil_facts(
        PupilRecord.model_validate(pupil()),
        "Riverside Academy",
        [AttendanceConcernRecord.model_validate(concern(summary="private words"))],
        [ExclusionRecord.model_validate(exclusion(summary="private words"))],
    )
    assert [f.kind for f in facts] == [
        "school-enrolment",
        "sen-provision",
        "attendance-concern",
        "suspension",
    ]
    assert facts[0].summary == (
        "On roll at Riverside Academy (URN 900201), year group 10, since 2023-09-04."
    )
    assert facts[1].summary == (
        f"Education, Health and Care plan; primary SEN type ASD ({SendType.ASD.description})."
    )
    assert all("private words" not in f.summary for f in facts)
    assert [f.agency_reference for f in facts] == ["MIS-1", "MIS-1", "ATT-1", "EXC-1"]


NOTIFY_BY = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)


def notified(urn: str | None = "900200", known: bool = True) -> EncompassNotification:
    return EncompassNotification.received(
        {
            "notification_id": "OE-1",
            "police_reference": "CLV-1",
            "child_given_name": "Amelia",
            "child_family_name": "Hart",
            "child_date_of_birth": "2016-03-01",
            "incident_at": "2026-11-23T21:00:00Z",
            "incident_place": "the family home",
            "child_present": True,
            "school_urn": urn,
            "notify_by": NOTIFY_BY.isoformat(),
        },
        school_known=known,
        received_at=datetime(2026, 11, 23, 22, tzinfo=UTC),
        subject="CLV-P-1",
        event_id="e-1",
    )


def ack(
    role: AcknowledgerRole = AcknowledgerRole.DSL, urn: str | None = "900200"
) -> Acknowledgement:
    return Acknowledgement(
        acknowledged_at=NOTIFY_BY - timedelta(hours=1),
        acknowledged_by_role=role,
        school_urn=urn,
        acknowledged_by="school-system",
        event_id="e-2",
    )


def test_notification_status_follows_what_is_known() -> None:
    fresh = notified()
    assert fresh.status is NotificationStatus.AWAITING_ACKNOWLEDGEMENT
    overdue = fresh.overdue(NOTIFY_BY + timedelta(minutes=1))
    assert overdue.status is NotificationStatus.OVERDUE
    assert overdue.overdue(NOTIFY_BY + timedelta(hours=5)).overdue_detected_at == (
        NOTIFY_BY + timedelta(minutes=1)
    )
    assert overdue.acknowledged(ack()).status is NotificationStatus.ACKNOWLEDGED
    assert fresh.acknowledged(ack()).overdue(NOTIFY_BY).status is NotificationStatus.ACKNOWLEDGED
    assert notified(known=False).status is NotificationStatus.UNKNOWN_SCHOOL
    assert notified(known=False).overdue(NOTIFY_BY).status is NotificationStatus.UNKNOWN_SCHOOL
    assert notified(urn=None, known=False).status is NotificationStatus.NOT_IN_SCHOOL


def test_only_the_school_notified_acknowledges_and_the_la_takes_the_rest() -> None:
    dsl = AcknowledgerRole.DSL
    check_acknowledgement(
        notified(), AcknowledgementRequest(acknowledged_by_role=dsl, school_urn="900200")
    )
    with pytest.raises(AcknowledgementRefused) as wrong:
        check_acknowledgement(
            notified(), AcknowledgementRequest(acknowledged_by_role=dsl, school_urn="900201")
        )
    assert wrong.value.reason == "wrong-school"
    unknown = notified(urn="999999", known=False)
    with pytest.raises(AcknowledgementRefused) as la:
        check_acknowledgement(
            unknown, AcknowledgementRequest(acknowledged_by_role=dsl, school_urn="999999")
        )
    assert la.value.reason == "la-acknowledgement-required"
    check_acknowledgement(
        unknown,
        AcknowledgementRequest(
            acknowledged_by_role=AcknowledgerRole.LA_EDUCATION_SAFEGUARDING, school_urn="999999"
        ),
    )


def test_the_kit_stores_records_where_education_reads_them() -> None:
    assert [k.collection for k in RECORD_KINDS] == [
        mongo.PUPILS,
        mongo.ATTENDANCE_CONCERNS,
        mongo.EXCLUSIONS,
    ]


def test_a_notification_survives_its_round_trip_through_a_document() -> None:
    stored = notified().acknowledged(ack())
    assert mongo._notification(mongo._document(stored)) == stored
