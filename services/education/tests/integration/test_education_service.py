"""The education service on the real broker and database.

Pupils, attendance concerns and exclusions come in from the school MIS and
raise concerns with the hub when the school asks; Operation Encompass
notifications from the police reach the school's list and are acknowledged
exactly once; the hub's enquiries are answered from what education holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from education.bootstrap import SERVICE, build_app
from fastapi.testclient import TestClient
from hub_agency.basis import agency_basis
from hub_agency.clients import demo_token
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, ContactOutcome, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent, EventPayload
from hub_contracts.events import (
    ChildAsStated,
    ChildConcernRaisedV2,
    ChildIdentifiers,
    ContactDecided,
    ContactReceived,
    EnquiryAnswered,
    EnquiryRequested,
    OperationEncompassAcknowledged,
    OperationEncompassNotified,
    OperationEncompassOverdue,
)
from hub_contracts.sharing import Purpose
from hub_service.app import ServiceRuntime
from hub_service.reference import read_demo_data
from hub_service.settings import ServiceSettings
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, wait_for

pytestmark = pytest.mark.integration

OLIVER = "B808200100022"
AMELIA = "Z808200100011"


@pytest.fixture
def service(kafka_bootstrap: str, mongo_uri: str, unique_name: str) -> Iterator[TestClient]:
    """Education for two fresh tenants, with Stockton's and Hartlepool's demo schools."""
    tenants = (unique_name, f"{unique_name}b")
    settings = ServiceSettings.for_service(
        SERVICE, kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=tenants
    )
    with running_service(build_app(settings)) as client:

        async def load() -> None:
            runtime: ServiceRuntime = client.app.state.runtime  # type: ignore[attr-defined]
            for tenant, demo in zip(tenants, ("stockton", "hartlepool"), strict=True):
                schools = read_demo_data("education", demo)["schools"]
                await runtime.database(tenant)["schools"].insert_many(schools)

        in_app(client, load)
        yield client


def auth(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(tenant, 'education')}"}


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["reason"])


def pupil(record_id: str, upn: str = OLIVER, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": record_id,
        "child": {
            "agency_person_id": f"MIS-{upn}",
            "given_name": "Oliver" if upn == OLIVER else "Amelia",
            "family_name": "Brown" if upn == OLIVER else "Hart",
            "date_of_birth": "2012-07-15" if upn == OLIVER else "2016-03-01",
            "sex": "male" if upn == OLIVER else "female",
            "upn": upn,
            "address": {"lines": ["4 Station Road"], "town": "Thornaby", "postcode": "TS17 6AB"},
        },
        "school_urn": "900201" if upn == OLIVER else "900200",
        "year_group": "10" if upn == OLIVER else "6",
        "enrolled_on": "2023-09-04",
        "sen_provision": "ehcp" if upn == OLIVER else "none",
    }
    if upn == OLIVER:
        body["primary_sen_type"] = "ASD"
    body.update(overrides)
    return body


def attendance(record_id: str, upn: str = OLIVER, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": record_id,
        "upn": upn,
        "period_start": "2026-09-03",
        "period_end": "2026-11-13",
        "attendance_percentage": 78.5,
        "unexplained_absences": 9,
        "summary": "Attendance has fallen sharply; arrives hungry.",
        "raise_concern": True,
        "raised_by_role": "designated safeguarding lead",
    }
    body.update(overrides)
    return body


def exclusion(record_id: str, upn: str = OLIVER, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": record_id,
        "upn": upn,
        "kind": "suspension",
        "start_date": "2026-11-09",
        "days": 2,
        "reason": "PD",
        "raise_concern": False,
    }
    body.update(overrides)
    return body


def publish(client: TestClient, bootstrap: str, *events: CloudEvent) -> None:
    async def send() -> None:
        for event in events:
            key, value, headers = to_kafka(event)
            await produce_raw(bootstrap, event.topic, value, headers, key)

    in_app(client, send)


def from_police(tenant: str, payload: EventPayload, subject: str = "CLV-P-1") -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject=subject,
        payload=payload,
        sharing=agency_basis("police-feed", Purpose.OPERATION_ENCOMPASS),
    )


def test_pupils_are_ingested_and_a_raised_concern_reaches_the_hub(
    service: TestClient, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    created = service.post(f"/v1/{tenant}/pupils", json=pupil("MIS-1"), headers=auth(tenant))
    assert created.status_code == 201, created.text
    assert created.json()["events"] == []  # a pupil on roll worries nobody
    again = service.post(f"/v1/{tenant}/pupils", json=pupil("MIS-1"), headers=auth(tenant))
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")

    quiet = service.post(f"/v1/{tenant}/exclusions", json=exclusion("EXC-1"), headers=auth(tenant))
    assert quiet.status_code == 201, quiet.text
    assert quiet.json()["events"] == []
    raised = service.post(
        f"/v1/{tenant}/attendance-concerns", json=attendance("ATT-1"), headers=auth(tenant)
    )
    assert raised.status_code == 201, raised.text
    [published] = raised.json()["events"]
    assert published["type"] == "uk.childrenshub.child-concern-raised.v2"
    assert published["shared"] is True

    records = in_app(
        service,
        lambda: read_topic(
            kafka_bootstrap, f"{tenant}.education.child-concern-raised.v2", expect=1
        ),
    )
    [event] = [from_kafka(r.value, r.headers) for r in records]
    assert event.id == published["id"]
    assert event.subject == OLIVER
    assert event.sharing == agency_basis("education", Purpose.SAFEGUARDING_SCREENING)
    concern = event.payload()
    assert isinstance(concern, ChildConcernRaisedV2)
    assert concern.agency_reference.agency is Agency.EDUCATION
    assert concern.agency_reference.reference == "ATT-1"
    assert concern.referral_source.value == "2A"
    assert concern.child.agency_person_id == OLIVER
    assert concern.child.upn == OLIVER
    assert concern.concern_summary.startswith("Attendance has fallen sharply; arrives hungry.")
    assert concern.raised_by_role == "designated safeguarding lead"
    listed = service.get(f"/v1/{tenant}/pupils", headers=auth(tenant)).json()
    assert [p["record_id"] for p in listed] == ["MIS-1"]


def test_bad_input_is_refused_with_reasons(service: TestClient, unique_name: str) -> None:
    tenant, other = unique_name, f"{unique_name}b"
    url = f"/v1/{tenant}/pupils"

    unknown_school = service.post(
        url, json=pupil("MIS-1", school_urn="999999"), headers=auth(tenant)
    )
    assert problem(unknown_school, 422) == "unknown-school"

    bad = pupil("MIS-2")
    bad["child"]["upn"] = "A808200100022"  # wrong check letter
    invalid = service.post(url, json=bad, headers=auth(tenant))
    assert problem(invalid, 422) == "invalid-request"
    assert invalid.json()["errors"][0]["loc"] == ["body", "child", "upn"]
    assert "A808200100022" not in invalid.text  # refusals never echo personal data

    no_type = service.post(url, json=pupil("MIS-3", primary_sen_type=None), headers=auth(tenant))
    assert problem(no_type, 422) == "invalid-request"

    for route, body in (
        ("attendance-concerns", attendance("ATT-1", upn=AMELIA)),
        ("exclusions", exclusion("EXC-1", upn=AMELIA)),
    ):
        refused = service.post(f"/v1/{tenant}/{route}", json=body, headers=auth(tenant))
        assert problem(refused, 422) == "unknown-pupil"

    assert service.post(url, json=pupil("MIS-4"), headers=auth(tenant)).status_code == 201
    duplicate = service.post(url, json=pupil("MIS-4"), headers=auth(tenant))
    assert (duplicate.status_code, duplicate.json()["status"]) == (200, "duplicate")
    changed = pupil("MIS-4", year_group="11")
    assert problem(service.post(url, json=changed, headers=auth(tenant)), 409) == (
        "record-id-conflict"
    )

    wrong_tenant = service.post(f"/v1/{other}/pupils", json=pupil("MIS-5"), headers=auth(tenant))
    assert problem(wrong_tenant, 403) == "tenant-not-permitted"
    assert service.get(f"/v1/{other}/pupils", headers=auth(other)).json() == []
    assert problem(service.post(url, json=pupil("MIS-6")), 401) == "unauthenticated"


def test_inbound_records_that_cannot_be_accepted_are_dead_lettered_with_reasons(
    service: TestClient, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    topic = f"{tenant}.education-inbound.pupil.v1"

    async def send() -> None:
        await produce_raw(kafka_bootstrap, topic, json.dumps(pupil("MIS-K1")).encode())
        unknown = pupil("MIS-K2", school_urn="999999")
        await produce_raw(kafka_bootstrap, topic, json.dumps(unknown).encode())

    in_app(service, send)
    dead = in_app(service, lambda: read_topic(kafka_bootstrap, f"{topic}.dlq", expect=1))
    assert [dict(r.headers)["dlq_reason"] for r in dead] == [b"unknown-school"]
    accepted = wait_for(
        lambda: service.get(f"/v1/{tenant}/pupils", headers=auth(tenant)).json(),
        what="the inbound pupil",
    )
    assert [(p["record_id"], p["via"]) for p in accepted] == [("MIS-K1", "kafka")]


@pytest.mark.parametrize("demo", ["stockton", "hartlepool"])
def test_the_demo_records_are_accepted_as_make_up_sends_them(
    service: TestClient, kafka_bootstrap: str, unique_name: str, demo: str
) -> None:
    tenant = unique_name if demo == "stockton" else f"{unique_name}b"
    records = read_demo_data("education", demo)["records"]
    raised = []
    for route, bodies in records.items():
        for body in bodies:
            response = service.post(f"/v1/{tenant}/{route}", json=body, headers=auth(tenant))
            assert response.status_code == 201, response.text
            raised += [e["type"] for e in response.json()["events"]]
    # only Oliver's attendance concern (Stockton) is raised with the hub
    expected = ["uk.childrenshub.child-concern-raised.v2"] if demo == "stockton" else []
    assert raised == expected


def notification(
    notification_id: str, urn: str | None = "900200", **overrides: Any
) -> OperationEncompassNotified:
    incident = datetime.now(UTC) - timedelta(hours=2)
    values: dict[str, Any] = {
        "notification_id": notification_id,
        "police_reference": f"CLV-{notification_id}",
        "child_given_name": "Amelia",
        "child_family_name": "Hart",
        "child_date_of_birth": date(2016, 3, 1),
        "incident_at": incident,
        "incident_place": "the family home",
        "child_present": True,
        "child_said": "I hid in my room.",
        "school_urn": urn,
        "local_authority_code": None if urn else "808",
        "notify_by": incident + timedelta(hours=12),
    }
    values.update(overrides)
    return OperationEncompassNotified(**values)


def test_operation_encompass_reaches_the_school_and_is_acknowledged_once(
    service: TestClient, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant, other = unique_name, f"{unique_name}b"
    publish(
        service,
        kafka_bootstrap,
        from_police(tenant, notification("OE-1")),
        from_police(tenant, notification("OE-2")),
        from_police(tenant, notification("OE-3", urn="999999")),
    )
    school = f"/v1/{tenant}/schools/900200/encompass-notifications"

    def listed() -> list[dict[str, Any]]:
        response = service.get(school, headers=auth(tenant))
        assert response.status_code == 200, response.text
        return list(response.json())

    notes = wait_for(listed, done=lambda found: len(found) >= 2, what="notifications at the school")
    assert {n["notification_id"] for n in notes} == {"OE-1", "OE-2"}
    assert all(n["status"] == "awaiting-acknowledgement" for n in notes)
    assert notes[0]["received_at"] >= notes[1]["received_at"]  # newest first
    first = next(n for n in notes if n["notification_id"] == "OE-1")
    assert first["child_said"] == "I hid in my room."
    assert first["police_reference"] == "CLV-OE-1"

    la_view = wait_for(  # it may come in a later batch than the school's two
        lambda: service.get(
            f"/v1/{tenant}/encompass-notifications",
            params={"status": "unknown-school"},
            headers=auth(tenant),
        ).json(),
        what="the notification to a URN that is not one of the tenant's schools",
    )
    assert [(n["notification_id"], n["school_urn"]) for n in la_view] == [("OE-3", "999999")]
    by_urn = service.get(
        f"/v1/{tenant}/schools/999999/encompass-notifications", headers=auth(tenant)
    ).json()
    assert [(n["notification_id"], n["status"]) for n in by_urn] == [("OE-3", "unknown-school")]
    other_school = f"/v1/{other}/schools/900200/encompass-notifications"
    assert service.get(other_school, headers=auth(other)).json() == []  # tenants never mix

    ack_url = f"/v1/{tenant}/encompass-notifications/OE-1/acknowledgement"
    body = {"acknowledged_by_role": "designated-safeguarding-lead", "school_urn": "900200"}
    assert (
        problem(
            service.post(ack_url, json={**body, "school_urn": "900201"}, headers=auth(tenant)), 409
        )
        == "wrong-school"
    )
    assert (
        problem(
            service.post(
                f"/v1/{tenant}/encompass-notifications/OE-404/acknowledgement",
                json=body,
                headers=auth(tenant),
            ),
            404,
        )
        == "notification-not-found"
    )
    assert problem(service.post(ack_url, json=body, headers=auth(other)), 403) == (
        "tenant-not-permitted"
    )
    assert (
        problem(
            service.post(
                f"/v1/{tenant}/encompass-notifications/OE-3/acknowledgement",
                json={**body, "school_urn": "999999"},
                headers=auth(tenant),
            ),
            409,
        )
        == "la-acknowledgement-required"
    )

    acknowledged = service.post(ack_url, json=body, headers=auth(tenant))
    assert acknowledged.status_code == 201, acknowledged.text
    assert acknowledged.json()["outcome"] == "acknowledged"
    twice = service.post(
        ack_url, json={**body, "acknowledged_by_role": "headteacher"}, headers=auth(tenant)
    )
    assert twice.status_code == 200, twice.text
    assert twice.json()["outcome"] == "already-acknowledged"
    assert twice.json()["acknowledgement"] == acknowledged.json()["acknowledgement"]

    topic = f"{tenant}.education.operation-encompass-acknowledged.v1"
    in_app(service, lambda: read_topic(kafka_bootstrap, topic, expect=1))
    records = in_app(service, lambda: read_topic(kafka_bootstrap, topic, expect=2, timeout_s=5))
    [event] = [from_kafka(r.value, r.headers) for r in records]
    assert event.id == acknowledged.json()["acknowledgement"]["event_id"]
    assert event.subject == "CLV-P-1"
    assert event.sharing == agency_basis("education", Purpose.OPERATION_ENCOMPASS)
    payload = event.payload()
    assert isinstance(payload, OperationEncompassAcknowledged)
    assert (payload.notification_id, payload.school_urn) == ("OE-1", "900200")
    assert payload.acknowledged_by_role.value == "designated-safeguarding-lead"

    overdue = OperationEncompassOverdue(
        notification_id="OE-2",
        police_reference="CLV-OE-2",
        school_urn="900200",
        notify_by=datetime.now(UTC) - timedelta(minutes=5),
        detected_at=datetime.now(UTC),
    )
    publish(service, kafka_bootstrap, from_police(tenant, overdue))

    found = wait_for(
        lambda: {n["notification_id"]: n["status"] for n in listed()},
        done=lambda statuses: statuses.get("OE-2") == "overdue",
        what="the overdue mark",
    )
    assert found == {"OE-1": "acknowledged", "OE-2": "overdue"}


def enquiry(tenant: str, enquiry_id: str, child: ChildIdentifiers) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer="front-door",
        subject="hub-child-1",
        payload=EnquiryRequested(
            enquiry_id=enquiry_id,
            contact_id="C-1",
            target_agency=Agency.EDUCATION,
            child=child,
            purpose="Known to education?",
            rag_rating=RagRating.AMBER,
            respond_by=datetime.now(UTC) + timedelta(hours=24),
        ),
        sharing=agency_basis("front-door", Purpose.MULTI_AGENCY_ENQUIRY),
    )


def test_enquiries_are_answered_from_what_education_holds(
    service: TestClient, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    for route, body in (
        ("pupils", pupil("MIS-1")),
        ("attendance-concerns", attendance("ATT-1", raise_concern=False)),
        ("exclusions", exclusion("EXC-1")),
    ):
        response = service.post(f"/v1/{tenant}/{route}", json=body, headers=auth(tenant))
        assert response.status_code == 201, response.text

    publish(
        service,
        kafka_bootstrap,
        enquiry(
            tenant,
            "E-UPN",
            ChildIdentifiers(given_name="Oliver", family_name="Brown", upn=OLIVER),
        ),
        enquiry(
            tenant,
            "E-NAME",
            ChildIdentifiers(
                given_name="Olivier", family_name="Brown", date_of_birth=date(2012, 7, 15)
            ),
        ),
        enquiry(
            tenant,
            "E-NONE",
            ChildIdentifiers(given_name="Amelia", family_name="Hart", upn=AMELIA),
        ),
    )
    records = in_app(
        service,
        lambda: read_topic(kafka_bootstrap, f"{tenant}.education.enquiry-answered.v1", expect=3),
    )
    answers: dict[str, EnquiryAnswered] = {}
    for r in records:
        answer = from_kafka(r.value, r.headers).payload()
        assert isinstance(answer, EnquiryAnswered)
        answers[answer.enquiry_id] = answer
    assert set(answers) == {"E-UPN", "E-NAME", "E-NONE"}
    held = answers["E-UPN"]
    assert held.answered_by_role == "MASH education officer"
    assert held.answer.kind == "information-held"
    facts = {f.kind: f for f in held.answer.facts}
    assert set(facts) == {"school-enrolment", "sen-provision", "attendance-concern", "suspension"}
    assert "Riverside Academy" in facts["school-enrolment"].summary
    assert "year group 10" in facts["school-enrolment"].summary
    assert "ASD" in facts["sen-provision"].summary
    assert "78.5%" in facts["attendance-concern"].summary
    assert facts["suspension"].agency_reference == "EXC-1"
    assert answers["E-NAME"].answer.kind == "information-held"
    assert answers["E-NONE"].answer.kind == "nothing-held"


def test_the_referrer_is_told_what_became_of_its_concern(
    service: TestClient, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    feedback = agency_basis("front-door", Purpose.OUTCOME_FEEDBACK)
    now = datetime.now(UTC)
    received = ContactReceived(
        contact_id="C-1",
        received_at=now,
        referral_source=ReferralSource.SCHOOLS,
        origin_agency=Agency.EDUCATION,
        origin_event_id="concern-event-1",
        concern_summary="Attendance has fallen sharply; arrives hungry.",
        child=ChildAsStated(agency_person_id=OLIVER, given_name="Oliver", family_name="Brown"),
    )
    decided = ContactDecided(
        contact_id="C-1",
        origin_event_id="concern-event-1",
        outcome=ContactOutcome.EH_REFERRAL,
        reason="Needs support at home; no significant harm.",
        decided_by="user:hub-0042",
        decided_at=now,
        family_informed=True,
    )
    publish(
        service,
        kafka_bootstrap,
        *(
            CloudEvent.new(
                tenant=tenant,
                producer="front-door",
                subject="hub-child-1",
                payload=payload,
                sharing=feedback,
            )
            for payload in (received, decided)
        ),
    )
    inbox = wait_for(
        lambda: service.get(f"/v1/{tenant}/inbox", headers=auth(tenant)).json(),
        done=lambda found: len(found) >= 2,
        what="the inbox",
    )
    by_name = {item["event_name"]: item for item in inbox}
    assert set(by_name) == {"contact-received", "contact-decided"}
    assert by_name["contact-decided"]["data"]["outcome"] == "EH Referral"
    assert "reason" not in by_name["contact-decided"]["data"]  # the referrer gets the outcome only
    assert "child" not in by_name["contact-received"]["data"]
