"""police-feed on the real broker and database.

Incidents become concerns for the hub and, after domestic abuse, Operation
Encompass notifications; schools' acknowledgements are recorded and breaches
published exactly once; enquiries are answered (or refused while an
investigation is ongoing); bad input is refused with machine-readable reasons.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hub_agency.basis import agency_basis
from hub_agency.clients import demo_token
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, ContactOutcome, RagRating
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import (
    AcknowledgerRole,
    ChildIdentifiers,
    ContactDecided,
    EnquiryAnswered,
    EnquiryRequested,
    OperationEncompassAcknowledged,
    OperationEncompassNotified,
)
from hub_contracts.sharing import LawfulBasis, Purpose
from hub_contracts.tenancy import DEFAULT_TENANTS
from hub_service.app import ServiceRuntime
from hub_service.clock import FixedClock, next_school_day_start
from hub_service.reference import read_demo_data
from hub_service.settings import ServiceSettings
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, until
from police_feed.bootstrap import build_app
from police_feed.service_layer.encompass import OverdueWatch, flag_overdue

pytestmark = pytest.mark.integration

SERVICE = "police-feed"
OCCURRED = "2026-11-20T22:15:00+00:00"  # a Friday night
NOTIFY_BY = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # Monday, start of the school day
LONG_AGO = FixedClock(datetime(2000, 1, 1, tzinfo=UTC))
"""The background watch's clock in tests that drive ``flag_overdue`` themselves."""


def _app(
    kafka: str,
    mongo: str,
    tenants: tuple[str, ...],
    *,
    clock: FixedClock = LONG_AGO,
    interval_s: float = 3600,
) -> FastAPI:
    settings = ServiceSettings.for_service(
        SERVICE, kafka_bootstrap=kafka, mongo_uri=mongo, tenants=tenants
    )
    return build_app(settings, clock=clock, overdue_interval_s=interval_s)


def _runtime(client: TestClient) -> ServiceRuntime:
    runtime: ServiceRuntime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _seed_directory(client: TestClient, tenant: str, la_code: str = "808") -> None:
    """The LA's school directory and DfE number, as ``load-demo`` would load them."""

    async def seed() -> None:
        db = _runtime(client).database(tenant)
        await db["schools"].insert_many(
            [{"_id": u, "urn": u, "name": f"School {u}"} for u in ("900200", "900201")]
        )
        await db["local_authority"].insert_one({"_id": "local-authority", "la_code": la_code})

    in_app(client, seed)


def _auth(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(tenant, SERVICE)}"}


def _child(
    person_id: str = "CLV-P-1", given: str = "Amelia", dob: str | None = "2016-03-01", **more: Any
) -> dict[str, Any]:
    child: dict[str, Any] = {
        "agency_person_id": person_id,
        "given_name": given,
        "family_name": "Hart",
        "sex": "female",
        "nhs_number": "9434765919",
        "address": {"lines": ["12 Mill Lane"], "postcode": "TS18 1AA"},
    }
    if dob:
        child["date_of_birth"] = dob
    entry: dict[str, Any] = {"child": child, "present": True, "school_urn": "900200"}
    entry.update(more)
    return entry


def _incident(record_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": record_id,
        "incident_kind": "domestic-abuse",
        "occurred_at": OCCURRED,
        "place": "the family home",
        "summary": "Shouting and a broken door; the partner was arrested at the scene.",
        "rag_rating": "amber",
        "officer_role": "response officer",
        "household": [
            {
                "agency_person_id": "CLV-P-9",
                "given_name": "Sarah",
                "family_name": "Hart",
                "relationship_to_child": "mother",
                "lives_with_child": True,
            }
        ],
        "children": [_child(child_said="I hid in my room.")],
    }
    body.update(overrides)
    return body


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["reason"])


async def _send(bootstrap: str, *events: CloudEvent) -> None:
    for event in events:
        key, value, headers = to_kafka(event)
        await produce_raw(bootstrap, event.topic, value, headers, key)


def test_incident_raises_concerns_and_notifies_schools_or_the_la(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        _seed_directory(client, tenant, la_code="808")
        url = f"/v1/{tenant}/incidents"
        toddler = _child("CLV-P-2", "Ruby", "2023-05-02", school_urn=None, not_in_school=True)
        toddler["present"] = False
        body = _incident("INC-1", children=[_child(child_said="I hid in my room."), toddler])
        accepted = client.post(url, json=body, headers=_auth(tenant))
        assert accepted.status_code == 201, accepted.text
        types = sorted(e["type"] for e in accepted.json()["events"])
        assert types == [
            "uk.childrenshub.child-concern-raised.v2",
            "uk.childrenshub.child-concern-raised.v2",
            "uk.childrenshub.operation-encompass-notified.v1",
            "uk.childrenshub.operation-encompass-notified.v1",
        ]
        assert all(e["shared"] for e in accepted.json()["events"])
        missing = _incident(
            "INC-2", incident_kind="missing-episode", children=[_child("CLV-P-3", "Oliver")]
        )
        only_concern = client.post(url, json=missing, headers=_auth(tenant))
        assert [e["type"] for e in only_concern.json()["events"]] == [
            "uk.childrenshub.child-concern-raised.v2"
        ]

        concerns = [
            from_kafka(r.value, r.headers)
            for r in in_app(
                client,
                lambda: read_topic(
                    kafka_bootstrap, f"{tenant}.police-feed.child-concern-raised.v2", expect=3
                ),
            )
        ]
        by_subject = {e.subject: e for e in concerns}
        assert set(by_subject) == {"CLV-P-1", "CLV-P-2", "CLV-P-3"}
        amelia = by_subject["CLV-P-1"]
        assert amelia.sharing.lawful_basis is LawfulBasis.LAW_ENFORCEMENT
        assert amelia.sharing.purpose is Purpose.SAFEGUARDING_SCREENING
        assert amelia.data["agency_reference"] == {
            "agency": "police",
            "reference": "INC-1",
            "system": None,
        }
        assert amelia.data["referral_source"] == "6"
        assert amelia.data["rag_rating"] == "amber"
        assert amelia.data["household"][0]["given_name"] == "Sarah"
        assert amelia.data["child"]["agency_person_id"] == "CLV-P-1"

        notified = [
            from_kafka(r.value, r.headers)
            for r in in_app(
                client,
                lambda: read_topic(
                    kafka_bootstrap,
                    f"{tenant}.police-feed.operation-encompass-notified.v1",
                    expect=2,
                ),
            )
        ]
        notes = {e.subject: e for e in notified}
        assert set(notes) == {"CLV-P-1", "CLV-P-2"}
        allowed = set(OperationEncompassNotified.model_fields)
        deadline = next_school_day_start(datetime.fromisoformat(OCCURRED))
        assert deadline == NOTIFY_BY
        for event in notified:
            assert set(event.data) == allowed  # the contract's fields, nothing more
            assert event.sharing.purpose is Purpose.OPERATION_ENCOMPASS
            assert datetime.fromisoformat(event.data["notify_by"]) == deadline
            assert "9434765919" not in json.dumps(event.data)
            assert "arrested" not in json.dumps(event.data)
        at_school = notes["CLV-P-1"].data
        assert (at_school["school_urn"], at_school["local_authority_code"]) == ("900200", None)
        assert at_school["child_said"] == "I hid in my room."
        assert at_school["child_present"] is True
        assert at_school["police_reference"] == "INC-1"
        not_in_school = notes["CLV-P-2"].data
        assert (not_in_school["school_urn"], not_in_school["local_authority_code"]) == (
            None,
            "808",
        )
        assert not_in_school["child_present"] is False

        listed = client.get(
            f"/v1/{tenant}/encompass-notifications",
            params={"status": "awaiting-acknowledgement"},
            headers=_auth(tenant),
        )
        assert listed.status_code == 200, listed.text
        assert sorted(n["notification_id"] for n in listed.json()) == ["INC-1-OE1", "INC-1-OE2"]


def _acknowledgement(tenant: str, notification_id: str, at: datetime) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer="education",
        subject="UPN-1",
        payload=OperationEncompassAcknowledged(
            notification_id=notification_id,
            acknowledged_at=at,
            acknowledged_by_role=AcknowledgerRole.DSL,
            school_urn="900200",
        ),
        sharing=agency_basis("education", Purpose.OPERATION_ENCOMPASS),
        time=at,
    )


def test_acknowledgements_are_recorded_and_breaches_published_once(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        _seed_directory(client, tenant)
        body = _incident("INC-1", children=[_child("CLV-P-1"), _child("CLV-P-2", "Ruby")])
        assert client.post(f"/v1/{tenant}/incidents", json=body, headers=_auth(tenant)).is_success
        early = NOTIFY_BY - timedelta(minutes=25)
        in_app(client, lambda: _send(kafka_bootstrap, _acknowledgement(tenant, "INC-1-OE1", early)))

        def notifications(status: str) -> list[dict[str, Any]]:
            response = client.get(
                f"/v1/{tenant}/encompass-notifications",
                params={"status": status},
                headers=_auth(tenant),
            )
            assert response.status_code == 200, response.text
            result: list[dict[str, Any]] = response.json()
            return result

        def acknowledged(count: int) -> Any:
            async def predicate() -> bool:
                stored = _runtime(client).database(tenant)["encompass_notifications"]
                return await stored.count_documents({"status": "acknowledged"}) == count

            return lambda: until(predicate, what=f"{count} acknowledgement(s)")

        in_app(client, acknowledged(1))
        [ack] = notifications("acknowledged")
        assert ack["notification_id"] == "INC-1-OE1"
        assert ack["acknowledged_by_role"] == "designated-safeguarding-lead"
        assert ack["acknowledged_in_time"] is True
        assert datetime.fromisoformat(ack["acknowledged_at"]) == early

        runtime = _runtime(client)
        watch: OverdueWatch = client.app.state.encompass_watch  # type: ignore[attr-defined]
        before = FixedClock(NOTIFY_BY - timedelta(minutes=1))
        assert in_app(client, lambda: flag_overdue(runtime, before, counter=watch.counter)) == []
        later = FixedClock(NOTIFY_BY + timedelta(minutes=30))

        async def check_twice_at_once_then_again() -> list[str]:
            first = await asyncio.gather(
                flag_overdue(runtime, later, counter=watch.counter),
                flag_overdue(runtime, later, counter=watch.counter),
            )
            again = await flag_overdue(runtime, later, counter=watch.counter)
            return [*first[0], *first[1], *again]

        assert in_app(client, check_twice_at_once_then_again) == ["INC-1-OE2"]
        overdue = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap,
                f"{tenant}.police-feed.operation-encompass-overdue.v1",
                expect=2,
                timeout_s=5,
            ),
        )
        assert len(overdue) == 1  # exactly once, though the check ran three times
        event = from_kafka(overdue[0].value, overdue[0].headers)
        assert event.subject == "CLV-P-2"
        assert event.data["notification_id"] == "INC-1-OE2"
        assert event.data["school_urn"] == "900200"
        assert datetime.fromisoformat(event.data["notify_by"]) == NOTIFY_BY
        assert datetime.fromisoformat(event.data["detected_at"]) == later.now()
        [flagged] = notifications("overdue")
        assert flagged["notification_id"] == "INC-1-OE2"
        assert (
            'hub_encompass_overdue_total{tenant="' + tenant + '"} 1.0'
            in client.get("/metrics").text
        )

        late = NOTIFY_BY + timedelta(hours=2)
        in_app(client, lambda: _send(kafka_bootstrap, _acknowledgement(tenant, "INC-1-OE2", late)))

        in_app(client, acknowledged(2))
        late_ack = next(
            n for n in notifications("acknowledged") if n["notification_id"] == "INC-1-OE2"
        )
        assert late_ack["acknowledged_in_time"] is False
        assert late_ack["overdue_detected_at"] is not None
        inbox = client.get(
            f"/v1/{tenant}/inbox",
            params={"event_name": "operation-encompass-acknowledged"},
            headers=_auth(tenant),
        ).json()
        assert len(inbox) == 2


def test_background_watch_flags_breaches_and_stops_at_shutdown(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    clock = FixedClock(NOTIFY_BY + timedelta(hours=1))
    app = _app(kafka_bootstrap, mongo_uri, (tenant,), clock=clock, interval_s=0.2)
    with running_service(app) as client:
        _seed_directory(client, tenant)
        assert client.post(
            f"/v1/{tenant}/incidents", json=_incident("INC-1"), headers=_auth(tenant)
        ).is_success
        overdue = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.police-feed.operation-encompass-overdue.v1", expect=1
            ),
        )
        assert [from_kafka(r.value, r.headers).data["notification_id"] for r in overdue] == [
            "INC-1-OE1"
        ]
        tasks = list(
            app.state.runtime.background_tasks
        )  # the overdue watch and the progress monitor
        assert len(tasks) == 2
        assert not any(task.done() for task in tasks)
    assert all(
        task.cancelled() for task in tasks
    )  # stopped by the lifespan, before the clients closed


def test_enquiries_are_answered_from_incidents(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        _seed_directory(client, tenant)
        url = f"/v1/{tenant}/incidents"
        assert client.post(url, json=_incident("INC-1"), headers=_auth(tenant)).is_success
        oliver = _child("CLV-P-3", "Oliver", "2012-07-15", school_urn="900201")
        del oliver["child"]["nhs_number"]
        investigated = _incident(
            "INC-2", incident_kind="missing-episode", sensitive=True, children=[oliver]
        )
        assert client.post(url, json=investigated, headers=_auth(tenant)).is_success

        def enquiry(enquiry_id: str, given: str, dob: date) -> CloudEvent:
            return CloudEvent.new(
                tenant=tenant,
                producer="front-door",
                subject=f"hub-{enquiry_id}",
                payload=EnquiryRequested(
                    enquiry_id=enquiry_id,
                    contact_id="C-1",
                    target_agency=Agency.POLICE,
                    child=ChildIdentifiers(given_name=given, family_name="Hart", date_of_birth=dob),
                    purpose="Known to police?",
                    rag_rating=RagRating.RED,
                    respond_by=datetime.now(UTC) + timedelta(hours=4),
                ),
                sharing=agency_basis("front-door", Purpose.MULTI_AGENCY_ENQUIRY),
            )

        in_app(
            client,
            lambda: _send(
                kafka_bootstrap,
                enquiry("E-1", "Amelia", date(2016, 3, 1)),
                enquiry("E-2", "Zachary", date(2016, 3, 1)),
                enquiry("E-3", "Oliver", date(2012, 7, 15)),
            ),
        )
        answers = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.police-feed.enquiry-answered.v1", expect=3
            ),
        )
        by_id = {
            a.enquiry_id: a
            for a in (
                EnquiryAnswered.model_validate(from_kafka(r.value, r.headers).data) for r in answers
            )
        }
        held = by_id["E-1"].answer
        assert held.kind == "information-held"
        [fact] = held.facts
        assert fact.kind == "domestic-abuse"
        assert fact.agency_reference == "INC-1"
        assert fact.occurred_at == datetime.fromisoformat(OCCURRED)
        assert "arrested" not in fact.summary  # a short summary, never the narrative
        assert by_id["E-1"].answered_by_role == "MASH police researcher"
        assert by_id["E-2"].answer.kind == "nothing-held"
        refused = by_id["E-3"].answer
        assert refused.kind == "not-shared"
        assert refused.reason == "Disclosure would prejudice an ongoing criminal investigation."
        assert refused.decided_by == "role:police-disclosure-officer"
        listed = client.get(f"/v1/{tenant}/enquiries", headers=_auth(tenant)).json()
        assert {e["enquiry_id"]: e["answer_kind"] for e in listed} == {
            "E-1": "information-held",
            "E-2": "nothing-held",
            "E-3": "not-shared",
        }


def test_outcomes_from_the_hub_reach_the_inbox_minimised(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        decided = CloudEvent.new(
            tenant=tenant,
            producer="front-door",
            subject="hub-child-1",
            payload=ContactDecided(
                contact_id="C-1",
                origin_event_id="evt-1",
                outcome=ContactOutcome.EH_REFERRAL,
                reason="Family agree to early help; no role for social care.",
                decided_by="user:hub-0042",
                decided_at=datetime.now(UTC),
                family_informed=True,
            ),
            sharing=agency_basis("front-door", Purpose.OUTCOME_FEEDBACK),
        )
        in_app(client, lambda: _send(kafka_bootstrap, decided))

        async def kept_in_inbox() -> int:
            return await _runtime(client).database(tenant)["inbox"].count_documents({})

        in_app(client, lambda: until(kept_in_inbox, what="the outcome in the inbox"))
        [kept] = client.get(f"/v1/{tenant}/inbox", headers=_auth(tenant)).json()
        assert kept["event_name"] == "contact-decided"
        assert kept["data"]["outcome"] == "EH Referral"
        assert "reason" not in kept["data"]  # the referrer learns the outcome, not the reasoning
        assert "reason" in kept["withheld_fields"]


def test_bad_input_is_refused_with_reasons(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    mine, other = f"{unique_name}a", f"{unique_name}b"
    with running_service(_app(kafka_bootstrap, mongo_uri, (mine, other))) as client:
        _seed_directory(client, mine)
        url = f"/v1/{mine}/incidents"

        malformed = {"record_id": "INC-0", "incident_kind": "domestic-abuse"}
        assert _problem(client.post(url, json=malformed, headers=_auth(mine)), 422) == (
            "invalid-request"
        )
        assert client.post(url, json=_incident("INC-2"), headers=_auth(mine)).status_code == 201
        again = client.post(url, json=_incident("INC-2"), headers=_auth(mine))
        assert again.status_code == 200
        assert again.json()["status"] == "duplicate"
        changed = _incident("INC-2", summary="something else")
        assert (
            _problem(client.post(url, json=changed, headers=_auth(mine)), 409)
            == "record-id-conflict"
        )
        bad_nhs = _incident("INC-3")
        bad_nhs["children"][0]["child"]["nhs_number"] = "9434765918"
        response = client.post(url, json=bad_nhs, headers=_auth(mine))
        assert _problem(response, 422) == "invalid-request"
        assert response.json()["errors"][0]["loc"][-1] == "nhs_number"
        assert "9434765918" not in response.text
        wrong_tenant = client.post(
            f"/v1/{other}/incidents", json=_incident("INC-4"), headers=_auth(mine)
        )
        assert _problem(wrong_tenant, 403) == "tenant-not-permitted"
        both = _incident("INC-5", children=[_child(not_in_school=True)])
        response = client.post(url, json=both, headers=_auth(mine))
        assert _problem(response, 422) == "invalid-request"
        assert "school_urn" in response.json()["detail"]
        assert client.get(f"{url}/INC-0", headers=_auth(mine)).status_code == 404

        listed = client.get(f"/v1/{mine}/encompass-notifications", headers=_auth(mine)).json()
        assert [n["notification_id"] for n in listed] == ["INC-2-OE1"]  # refusals stored nothing

        topic = f"{mine}.police-feed-inbound.police-incident.v1"

        async def send_inbound() -> None:
            await produce_raw(kafka_bootstrap, topic, b"{not json")
            await produce_raw(kafka_bootstrap, topic, json.dumps(malformed).encode())
            await produce_raw(kafka_bootstrap, topic, json.dumps(_incident("K-1")).encode())

        in_app(client, send_inbound)
        dead = in_app(client, lambda: read_topic(kafka_bootstrap, f"{topic}.dlq", expect=2))
        reasons = sorted(dict(r.headers)["dlq_reason"].decode() for r in dead)
        assert reasons == ["invalid-record", "malformed-json"]

        async def via_kafka() -> Any:
            return await _runtime(client).database(mine)["incidents"].find_one({"_id": "K-1"})

        accepted = in_app(client, lambda: until(via_kafka, what="the inbound incident"))
        assert accepted["via"] == "kafka"


def test_a_concern_is_never_refused_for_what_its_notification_lacks(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    """An out-of-area school and an unknown date of birth: the concerns reach the hub; the
    first child's school is reached through the LA (flagged), the second's notification held."""
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        _seed_directory(client, tenant)
        away = _child("CLV-P-7", school_urn="123456")  # a school in another authority
        unknown_dob = _child("CLV-P-8", given="Noah", dob=None)
        body = _incident("INC-OOA", children=[away, unknown_dob])
        response = client.post(f"/v1/{tenant}/incidents", json=body, headers=_auth(tenant))
        assert response.status_code == 201, response.text
        assert [e["type"] for e in response.json()["events"]] == [
            "uk.childrenshub.child-concern-raised.v2",
            "uk.childrenshub.operation-encompass-notified.v1",
            "uk.childrenshub.child-concern-raised.v2",
        ]

        concerns = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.police-feed.child-concern-raised.v2", expect=2
            ),
        )
        assert sorted(from_kafka(r.value, r.headers).subject for r in concerns) == [
            "CLV-P-7",
            "CLV-P-8",
        ]
        [notified] = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.police-feed.operation-encompass-notified.v1", expect=1
            ),
        )
        notice = from_kafka(notified.value, notified.headers).data
        assert (notice["school_urn"], notice["local_authority_code"]) == (None, "808")

        listed = client.get(f"/v1/{tenant}/encompass-notifications", headers=_auth(tenant)).json()
        by_id = {n["notification_id"]: n for n in listed}
        routed, held = by_id["INC-OOA-OE1"], by_id["INC-OOA-OE2"]
        assert routed["status"] == "awaiting-acknowledgement"
        assert routed["local_authority_code"] == "808"
        assert routed["stated_school_urn"] == "123456"
        assert routed["flags"] == ["school-not-in-directory"]
        assert held["status"] == "held"
        assert held["held_reason"] == "date-of-birth-required"
        only_held = client.get(
            f"/v1/{tenant}/encompass-notifications",
            params={"status": "held"},
            headers=_auth(tenant),
        ).json()
        assert [n["notification_id"] for n in only_held] == ["INC-OOA-OE2"]

        # an acknowledgement quoting the held (never sent) notification changes nothing
        at = NOTIFY_BY - timedelta(minutes=5)
        in_app(client, lambda: _send(kafka_bootstrap, _acknowledgement(tenant, "INC-OOA-OE2", at)))

        async def delivered() -> bool:
            inbox = _runtime(client).database(tenant)["inbox"]
            return (
                await inbox.count_documents({"event_name": "operation-encompass-acknowledged"}) > 0
            )

        in_app(client, lambda: until(delivered, what="the acknowledgement handled"))
        still = client.get(
            f"/v1/{tenant}/encompass-notifications",
            params={"status": "held"},
            headers=_auth(tenant),
        ).json()
        assert [n["notification_id"] for n in still] == ["INC-OOA-OE2"]


def test_demo_records_are_accepted_against_the_demo_directory(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    demo = {f"{unique_name}{t[0]}": read_demo_data("police_feed", t) for t in DEFAULT_TENANTS}
    with running_service(_app(kafka_bootstrap, mongo_uri, tuple(demo))) as client:
        for tenant, data in demo.items():
            records = data.pop("records")

            async def load(tenant: str = tenant, data: dict[str, Any] = data) -> None:
                for collection, docs in data.items():
                    await _runtime(client).database(tenant)[collection].insert_many(docs)

            in_app(client, load)
            for body in records["incidents"]:
                response = client.post(f"/v1/{tenant}/incidents", json=body, headers=_auth(tenant))
                assert response.status_code == 201, response.text
        stockton = client.get(
            f"/v1/{unique_name}s/encompass-notifications", headers=_auth(f"{unique_name}s")
        ).json()
        assert [(n["police_reference"], n["school_urn"]) for n in stockton] == [
            ("CLV-INC-2026-004512", "900200")
        ]
