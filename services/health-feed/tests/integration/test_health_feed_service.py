"""health-feed on the real broker and database: FHIR ingest, CP-IS flags, enquiries, inbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from health_feed.bootstrap import build_app
from health_feed_examples import RICHARD_SMITH_NHS_NUMBER, uk_core_xml_bundle
from hub_agency.basis import agency_basis
from hub_agency.clients import demo_token
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, CategoryOfAbuse, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent, EventPayload
from hub_contracts.events import (
    ChildAsStated,
    ChildIdentifiers,
    ContactReceived,
    EnquiryRequested,
    ResponsibleAuthority,
    SocialCareStatusChanged,
    StatusKind,
)
from hub_contracts.sharing import Purpose
from hub_service.app import ServiceRuntime
from hub_service.clock import FixedClock
from hub_service.settings import ServiceSettings
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, wait_for

pytestmark = pytest.mark.integration

BundleFactory = Callable[..., dict[str, Any]]
OLIVER = "9434760003"
STOCKTON = ResponsibleAuthority(
    name="Stockton-on-Tees",
    la_code="808",
    in_hours_phone="01642 130080",
    out_of_hours_phone="01642 524552",
)


def _app(
    kafka: str, mongo: str, tenants: tuple[str, ...], clock: FixedClock | None = None
) -> FastAPI:
    settings = ServiceSettings.for_service(
        "health-feed", kafka_bootstrap=kafka, mongo_uri=mongo, tenants=tenants
    )
    return build_app(settings, clock=clock)


def _auth(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(tenant, 'health-feed')}"}


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["reason"])


def _runtime(client: TestClient) -> ServiceRuntime:
    runtime: ServiceRuntime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _publish(client: TestClient, kafka: str, *events: CloudEvent) -> None:
    async def send() -> None:
        for event in events:
            key, value, headers = to_kafka(event)
            await produce_raw(kafka, event.topic, value, headers, key)

    in_app(client, send)


def _event(tenant: str, producer: str, payload: EventPayload, purpose: Purpose) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer=producer,
        subject="child-1",
        payload=payload,
        sharing=agency_basis(producer, purpose),
    )


def _status_changed(
    tenant: str,
    change_id: str,
    *,
    kind: StatusKind = StatusKind.CHILD_PROTECTION_PLAN,
    started: date = date(2026, 9, 1),
    ended: date | None = None,
    nhs: str | None = OLIVER,
) -> CloudEvent:
    payload = SocialCareStatusChanged(
        change_id=change_id,
        case_id="SC-CASE-1",
        status_kind=kind,
        change="ended" if ended else "started",
        started_on=started,
        ended_on=ended,
        category_of_abuse=(
            CategoryOfAbuse.NEGLECT if kind is StatusKind.CHILD_PROTECTION_PLAN else None
        ),
        child_nhs_number=nhs,
        child=ChildAsStated(
            agency_person_id="SC-P-2",
            given_name="Oliver",
            family_name="Brown",
            date_of_birth=date(2012, 7, 15),
            nhs_number=nhs,
        ),
        responsible_authority=STOCKTON,
    )
    return _event(tenant, "social-care", payload, Purpose.UNSCHEDULED_CARE_FLAG)


def test_a_safeguarding_flag_raises_a_concern_and_an_unflagged_attendance_does_not(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, make_bundle: BundleFactory
) -> None:
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        url = f"/v1/{tenant}/fhir-bundles"
        flagged = client.post(
            url, json={"record_id": "ED-1", "bundle": make_bundle()}, headers=_auth(tenant)
        )
        assert flagged.status_code == 201, flagged.text
        [event] = flagged.json()["events"]
        assert event["type"] == "uk.childrenshub.child-concern-raised.v2"
        assert event["shared"] is True
        plain = client.post(
            url,
            json={
                "record_id": "ED-2",
                "bundle": make_bundle(
                    nhs_number="9434780004", given="Isla", family="Reed", flag=None
                ),
            },
            headers=_auth(tenant),
        )
        assert plain.status_code == 201, plain.text
        assert plain.json()["events"] == []

        async def attendances() -> list[dict[str, Any]]:
            db = _runtime(client).database(tenant)
            return await db["attendances"].find().sort("_id").to_list()

        stored = in_app(client, attendances)
        assert [(a["_id"], a["nhs_number"], a["safeguarding_flag"]) for a in stored] == [
            ("ED-1", OLIVER, True),
            ("ED-2", "9434780004", False),
        ]
        assert stored[0]["setting"] == "emergency-department"
        assert stored[0]["ods_code"] == "RVW"

        records = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.health-feed.child-concern-raised.v2", expect=1
            ),
        )
        concerns = [from_kafka(r.value, r.headers) for r in records]
        assert [c.id for c in concerns] == [event["id"]]
        concern = concerns[0]
        assert concern.subject == OLIVER
        assert concern.sharing.purpose is Purpose.SAFEGUARDING_SCREENING
        data = concern.data
        assert data["agency_reference"] == {"agency": "health", "reference": "ED-1", "system": None}
        assert data["referral_source"] == ReferralSource.HEALTH_A_AND_E.value
        assert data["rag_rating"] is None
        assert "Injury not consistent" in data["concern_summary"]
        assert data["child"]["agency_person_id"] == OLIVER


def test_a_trust_system_posts_the_bundle_itself_in_fhir_xml_or_json(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, make_bundle: BundleFactory
) -> None:
    """UK Core's published Patient RichardSmith in an XML Bundle, as an A&E system sends it."""
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        url = f"/v1/{tenant}/fhir/Bundle"
        xml = {**_auth(tenant), "Content-Type": "application/fhir+xml"}
        sent = client.post(url, content=uk_core_xml_bundle("rvw-ed-451"), headers=xml)
        assert sent.status_code == 201, sent.text
        assert sent.json()["record_id"] == "rvw-ed-451"
        [event] = sent.json()["events"]
        assert event["type"] == "uk.childrenshub.child-concern-raised.v2"
        again = client.post(url, content=uk_core_xml_bundle("rvw-ed-451"), headers=xml)
        assert (again.status_code, again.json()["status"]) == (200, "duplicate")

        as_json = {**make_bundle(nhs_number="9434780004", given="Isla"), "id": "rvw-ed-452"}
        json_headers = {**_auth(tenant), "Content-Type": "application/fhir+json"}
        posted = client.post(
            url, content=json.dumps(as_json), headers=json_headers, params={"rag_rating": "red"}
        )
        assert posted.status_code == 201, posted.text

        concerns = [
            from_kafka(r.value, r.headers)
            for r in in_app(
                client,
                lambda: read_topic(
                    kafka_bootstrap, f"{tenant}.health-feed.child-concern-raised.v2", expect=2
                ),
            )
        ]
        by_reference = {c.data["agency_reference"]["reference"]: c for c in concerns}
        assert set(by_reference) == {"rvw-ed-451", "rvw-ed-452"}
        richard = by_reference["rvw-ed-451"]
        assert richard.subject == RICHARD_SMITH_NHS_NUMBER
        assert richard.data["child"]["family_name"] == "SMITH"
        assert richard.data["child"]["address"]["postcode"] == "LS17 7DF"
        assert by_reference["rvw-ed-452"].data["rag_rating"] == "red"
        stored = client.get(f"/v1/{tenant}/fhir-bundles/rvw-ed-451", headers=_auth(tenant))
        assert stored.status_code == 200, stored.text

        xxe = (
            b'<?xml version="1.0"?><!DOCTYPE Bundle [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Bundle xmlns="http://hl7.org/fhir"><id value="&x;"/></Bundle>'
        )
        assert _problem(client.post(url, content=xxe, headers=xml), 422) == "invalid-fhir"
        no_id = uk_core_xml_bundle("").replace(b'<id value="" />', b"", 1)
        assert _problem(client.post(url, content=no_id, headers=xml), 422) == "invalid-fhir"
        text = {**_auth(tenant), "Content-Type": "text/plain"}
        refused = client.post(url, content=b"hello", headers=text)
        assert _problem(refused, 415) == "unsupported-media-type"
        anonymous = client.post(url, content=uk_core_xml_bundle("rvw-ed-453"))
        assert anonymous.status_code == 401


def test_bad_input_is_refused_with_a_status_and_a_reason(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, make_bundle: BundleFactory
) -> None:
    mine, other = f"{unique_name}a", f"{unique_name}b"
    with running_service(_app(kafka_bootstrap, mongo_uri, (mine, other))) as client:
        url = f"/v1/{mine}/fhir-bundles"

        def post(record_id: str, bundle: dict[str, Any], tenant: str = mine) -> Any:
            return client.post(
                f"/v1/{tenant}/fhir-bundles",
                json={"record_id": record_id, "bundle": bundle},
                headers=_auth(mine),
            )

        not_a_bundle = post("B-1", {"resourceType": "Patient", "id": "p"})
        assert _problem(not_a_bundle, 422) == "invalid-fhir"
        assert "resourceType must be 'Bundle'" in not_a_bundle.json()["detail"]
        broken = post("B-2", make_bundle(birth_date="15/07/2012"))
        assert _problem(broken, 422) == "invalid-fhir"
        assert "resource(Patient).birthDate" in broken.json()["detail"]
        no_patient = make_bundle()
        no_patient["entry"] = no_patient["entry"][1:]
        response = post("B-3", no_patient)
        assert _problem(response, 422) == "invalid-fhir"
        assert "Patient" in response.json()["detail"]
        # a wrong NHS number never stops a concern: kept as stated, never linked on
        bad_nhs = post("B-4", make_bundle(nhs_number="9434760004"))
        assert bad_nhs.status_code == 201, bad_nhs.text
        assert [e["type"] for e in bad_nhs.json()["events"]] == [
            "uk.childrenshub.child-concern-raised.v2"
        ]

        async def kept() -> Any:
            return await _runtime(client).database(mine)["attendances"].find_one({"_id": "B-4"})

        stored = in_app(client, kept)
        assert (stored["nhs_number"], stored["nhs_number_as_stated"]) == (None, "9434760004")
        assert (stored["nhs_number_status"], stored["person_id"]) == ("invalid", "B-4-patient")

        first = post("B-5", make_bundle(flag=None))
        assert first.status_code == 201, first.text
        again = post("B-5", make_bundle(flag=None))
        assert again.status_code == 200
        assert again.json()["status"] == "duplicate"
        assert _problem(post("B-5", make_bundle()), 409) == "record-id-conflict"
        assert _problem(post("B-6", make_bundle(), tenant=other), 403) == "tenant-not-permitted"
        listed = [r["record_id"] for r in client.get(url, headers=_auth(mine)).json()]
        assert sorted(listed) == ["B-4", "B-5"]  # the refused ones stored nothing

        check = {
            "nhs_number": "9434760004",
            "care_setting": "emergency-department",
            "organisation_name": "University Hospital of North Tees",
            "accessed_by_role": "emergency department nurse",
        }
        refused = client.post(f"/v1/{mine}/cp-is/checks", json=check, headers=_auth(mine))
        assert _problem(refused, 422) == "invalid-nhs-number"
        wrong = client.post(f"/v1/{other}/cp-is/checks", json=check, headers=_auth(mine))
        assert _problem(wrong, 403) == "tenant-not-permitted"
        accesses = client.get(f"/v1/{mine}/cp-is/flags/12345/accesses", headers=_auth(mine))
        assert _problem(accesses, 422) == "invalid-nhs-number"
        unknown = client.get(f"/v1/{mine}/cp-is/flags/{OLIVER}/accesses", headers=_auth(mine))
        assert _problem(unknown, 404) == "flag-not-found"


def test_cp_is_flags_are_shown_logged_and_notified_and_ended_ones_fade_after_a_year(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    clock = FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,), clock)) as client:
        _publish(
            client,
            kafka_bootstrap,
            _status_changed(tenant, "CH-1"),
            _status_changed(tenant, "CH-2", kind=StatusKind.CHILD_IN_NEED, nhs="9434790018"),
            _status_changed(tenant, "CH-3", kind=StatusKind.LOOKED_AFTER, nhs=None),
        )

        def counted() -> dict[str, Any] | None:
            response = client.get(f"/v1/{tenant}/cp-is/status-change-counts", headers=_auth(tenant))
            counts: dict[str, Any] = response.json()
            return counts if sum(c["total"] for c in counts.values()) == 3 else None

        counts = wait_for(counted, what="three status changes")
        assert counts == {
            "child-protection-plan": {"flag-updated": 1, "total": 1},
            "child-in-need": {"not-a-cp-is-flag": 1, "total": 1},
            "looked-after": {"unmatched": 1, "total": 1},
        }
        unmatched = client.get(
            f"/v1/{tenant}/cp-is/unmatched-status-changes", headers=_auth(tenant)
        ).json()
        assert [(u["change_id"], u["status_kind"]) for u in unmatched] == [("CH-3", "looked-after")]

        check = {
            "nhs_number": "943 476 0003",
            "care_setting": "emergency-department",
            "organisation_name": "University Hospital of North Tees",
            "ods_code": "RVW",
            "accessed_by_role": "emergency department nurse",
        }
        url = f"/v1/{tenant}/cp-is/checks"
        shown = client.post(url, json=check, headers=_auth(tenant))
        assert shown.status_code == 200, shown.text
        [flag] = shown.json()["flags"]
        assert flag["status_kind"] == "child-protection-plan"
        assert flag["state"] == "active"
        assert flag["started_on"] == "2026-09-01"
        assert flag["responsible_authority"] == STOCKTON.model_dump(mode="json")
        nothing = client.post(
            url, json={**check, "nhs_number": "9434790018"}, headers=_auth(tenant)
        )
        assert nothing.json()["flags"] == []  # child in need is not a CP-IS flag

        records = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.health-feed.record-accessed.v1", expect=1
            ),
        )
        [accessed] = [from_kafka(r.value, r.headers) for r in records]
        assert accessed.sharing.purpose is Purpose.UNSCHEDULED_CARE_FLAG
        assert accessed.data["child_nhs_number"] == OLIVER
        assert accessed.data["status_kind"] == "child-protection-plan"
        assert accessed.data["ods_code"] == "RVW"
        assert accessed.data["responsible_authority"]["la_code"] == "808"

        for i in range(25):
            clock.advance(timedelta(minutes=1))
            role = f"role {i}"
            response = client.post(
                url, json={**check, "accessed_by_role": role}, headers=_auth(tenant)
            )
            assert response.status_code == 200
        log = client.get(
            f"/v1/{tenant}/cp-is/flags/{OLIVER}/accesses", headers=_auth(tenant)
        ).json()
        assert len(log) == 25  # 26 checks, the latest 25 kept
        assert log[0]["accessed_by_role"] == "role 24"
        assert log[-1]["accessed_by_role"] == "role 0"
        assert log[0]["notified_event_ids"]
        notices = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.health-feed.record-accessed.v1", expect=26
            ),
        )
        assert len(notices) == 26

        _publish(client, kafka_bootstrap, _status_changed(tenant, "CH-4", ended=date(2026, 11, 1)))

        def ended() -> list[dict[str, Any]] | None:
            flags: list[dict[str, Any]] = client.post(
                url, json=check, headers=_auth(tenant)
            ).json()["flags"]
            return flags if flags and flags[0]["state"] == "ended" else None

        [ended_flag] = wait_for(ended, what="the plan to end")
        assert ended_flag["ended_on"] == "2026-11-01"
        clock.advance(timedelta(days=366))
        after = client.post(url, json=check, headers=_auth(tenant))
        assert after.json()["flags"] == []


def test_enquiries_are_answered_from_attendances_and_hub_notices_kept_in_the_inbox(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, make_bundle: BundleFactory
) -> None:
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        posted = client.post(
            f"/v1/{tenant}/fhir-bundles",
            json={"record_id": "ED-7", "bundle": make_bundle()},
            headers=_auth(tenant),
        )
        assert posted.status_code == 201, posted.text
        # Oliver's twin, sent without an NHS number: found by name and date of birth
        no_number = make_bundle(nhs_system="https://example.org/mrn", given="Ivy", flag=None)
        posted = client.post(
            f"/v1/{tenant}/fhir-bundles",
            json={"record_id": "ED-8", "bundle": no_number},
            headers=_auth(tenant),
        )
        assert posted.status_code == 201, posted.text

        def enquiry(enquiry_id: str, given: str, nhs: str | None) -> CloudEvent:
            payload = EnquiryRequested(
                enquiry_id=enquiry_id,
                contact_id="C-1",
                target_agency=Agency.HEALTH,
                child=ChildIdentifiers(
                    given_name=given,
                    family_name="Brown",
                    date_of_birth=date(2012, 7, 15),
                    nhs_number=nhs,
                ),
                purpose="Known to health?",
                rag_rating=RagRating.AMBER,
                respond_by=datetime.now(UTC) + timedelta(hours=24),
            )
            return _event(tenant, "front-door", payload, Purpose.MULTI_AGENCY_ENQUIRY)

        contact = _event(
            tenant,
            "front-door",
            ContactReceived(
                contact_id="C-1",
                received_at=datetime.now(UTC),
                referral_source=ReferralSource.HEALTH_A_AND_E,
                origin_agency=Agency.HEALTH,
                concern_summary="Safeguarding flag at A&E.",
                child=ChildAsStated(
                    agency_person_id="HUB-1", given_name="Oliver", family_name="Brown"
                ),
            ),
            Purpose.OUTCOME_FEEDBACK,
        )
        _publish(
            client,
            kafka_bootstrap,
            enquiry("E-1", "Oliver", OLIVER),
            enquiry("E-2", "Oliver", None),
            enquiry("E-3", "Zachary", None),
            enquiry("E-4", "Ivy", None),
            contact,
        )
        answers = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.health-feed.enquiry-answered.v1", expect=4
            ),
        )
        by_id = {
            a.enquiry_id: a for a in (from_kafka(r.value, r.headers).payload() for r in answers)
        }
        assert by_id["E-1"].answer.kind == "information-held"
        [fact] = by_id["E-1"].answer.facts
        assert fact.kind == "a-and-e-attendance"
        assert fact.agency_reference == "ED-7"
        assert "safeguarding concern was flagged" in fact.summary
        assert "Injury" not in fact.summary
        assert by_id["E-2"].answer.kind == "information-held"  # found by name and birth date
        assert by_id["E-3"].answer.kind == "nothing-held"
        assert [f.agency_reference for f in by_id["E-4"].answer.facts] == ["ED-8"]
        assert by_id["E-1"].answered_by_role == "MASH health liaison"

        def inbox() -> list[dict[str, Any]] | None:
            response = client.get(f"/v1/{tenant}/inbox", headers=_auth(tenant))
            items: list[dict[str, Any]] = response.json()
            return items or None

        [kept] = wait_for(inbox, what="the contact in the inbox")
        assert kept["event_name"] == "contact-received"
        assert "concern_summary" not in kept["data"]  # the policy shows ids only


def test_the_inbound_topic_ingests_bundles_and_dead_letters_invalid_fhir(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, make_bundle: BundleFactory
) -> None:
    tenant = unique_name
    topic = f"{tenant}.health-feed-inbound.fhir-bundle.v1"
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:

        async def send() -> None:
            good = {"record_id": "K-1", "bundle": make_bundle(flag=None)}
            bad = {"record_id": "K-2", "bundle": make_bundle(encounter_class="IMP")}
            for body in (good, bad):
                await produce_raw(kafka_bootstrap, topic, json.dumps(body).encode())

        in_app(client, send)
        dead = in_app(client, lambda: read_topic(kafka_bootstrap, f"{topic}.dlq", expect=1))
        assert [dict(r.headers)["dlq_reason"].decode() for r in dead] == ["invalid-fhir"]
        listed = wait_for(
            lambda: client.get(f"/v1/{tenant}/fhir-bundles", headers=_auth(tenant)).json(),
            what="the inbound bundle",
        )
        assert [(r["record_id"], r["via"]) for r in listed] == [("K-1", "kafka")]
