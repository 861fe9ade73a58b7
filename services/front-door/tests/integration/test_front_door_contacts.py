"""Contacts from agencies' concerns, rated by a practitioner, enquiries out and answers in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from front_door.bootstrap import build_app
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import (
    AgencyReference,
    ChildAsStated,
    ChildConcernRaisedV2,
    EnquiryAnswered,
    NothingHeld,
)
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition
from hub_service import ServiceSettings
from hub_service.clock import FixedClock
from hub_service.staff import Role, issue_token
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, wait_for

pytestmark = pytest.mark.integration
TUESDAY_9AM = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _staff(tenant: str, *roles: Role) -> dict[str, str]:
    token = issue_token("u-practitioner-1", set(roles) or {Role.PRACTITIONER}, {tenant})
    return {"Authorization": f"Bearer {token}"}


async def _send(bootstrap: str, event: CloudEvent) -> None:
    key, value, headers = to_kafka(event)
    await produce_raw(bootstrap, event.topic, value, headers, key)


def _concern(tenant: str, reference: str, nhs_number: str | None) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject="CLV-P-1",
        payload=ChildConcernRaisedV2(
            agency_reference=AgencyReference(agency=Agency.POLICE, reference=reference),
            referral_source=ReferralSource.POLICE,
            rag_rating=RagRating.AMBER,
            concern_summary="Child present at a domestic incident.",
            child=ChildAsStated(
                agency_person_id="CLV-P-1",
                given_name="Amelia",
                family_name="Hart",
                date_of_birth=datetime(2016, 3, 1).date(),
                nhs_number=nhs_number,
            ),
            occurred_at=TUESDAY_9AM - timedelta(hours=2),
        ),
        sharing=SharingBasis(
            lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
        ),
    )


def _queue(client: TestClient, tenant: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/{tenant}/contacts", headers=_staff(tenant))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def test_a_concern_becomes_a_contact_whose_enquiries_go_out_and_answers_come_back(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant, other = unique_name, f"{unique_name}x"
    settings = ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=(tenant, other)
    )
    clock = FixedClock(TUESDAY_9AM)
    with running_service(build_app(settings, clock)) as client:
        in_app(client, lambda: _send(kafka_bootstrap, _concern(tenant, "INC-1", "9434765919")))
        in_app(client, lambda: _send(kafka_bootstrap, _concern(tenant, "INC-2", "9434765919")))

        def two_contacts() -> list[dict[str, Any]] | None:
            items = _queue(client, tenant)
            return items if len(items) == 2 else None

        contacts = wait_for(two_contacts, what="two contacts")
        assert {c["status"] for c in contacts} == {"awaiting-screening"}
        # amber as received: 24 hours from receipt
        assert {c["deadline"] for c in contacts} == {"2026-11-25T09:00:00Z"}
        first = contacts[0]["contact_id"]
        detail = client.get(f"/v1/{tenant}/contacts/{first}", headers=_staff(tenant)).json()
        second = client.get(
            f"/v1/{tenant}/contacts/{contacts[1]['contact_id']}", headers=_staff(tenant)
        ).json()
        assert detail["person_id"] == second["person_id"]  # linked on the NHS number
        assert detail["decide_by"] == "2026-11-25T09:00:00Z"  # one working day

        rated = client.post(
            f"/v1/{tenant}/contacts/{first}/rating",
            json={"rag_rating": "red", "rationale": "Child present; repeat incidents."},
            headers=_staff(tenant),
        )
        assert rated.status_code == 200, rated.text
        assert rated.json()["screen_by"] == "2026-11-24T13:00:00Z"
        again = client.post(
            f"/v1/{tenant}/contacts/{first}/rating",
            json={"rag_rating": "red", "rationale": "again"},
            headers=_staff(tenant),
        )
        assert again.status_code == 409
        assert again.json()["reason"] == "contact-already-rated"

        requested = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.front-door.enquiry-requested.v1", expect=5
            ),
        )
        targets = sorted(from_kafka(r.value, r.headers).data["target_agency"] for r in requested)
        assert targets == ["early-help", "education", "health", "police", "social-care"]
        health_enquiry = next(e for e in rated.json()["enquiries"] if e.endswith("-health"))

        answer = CloudEvent.new(
            tenant=tenant,
            producer="health-feed",
            subject="9434765919",
            payload=EnquiryAnswered(
                enquiry_id=health_enquiry,
                answering_agency=Agency.HEALTH,
                answer=NothingHeld(kind="nothing-held"),
                answered_by="system:health-feed",
                answered_by_role="MASH health liaison",
                answered_at=TUESDAY_9AM,
            ),
            sharing=SharingBasis(
                lawful_basis=LawfulBasis.PUBLIC_TASK,
                purpose=Purpose.MULTI_AGENCY_ENQUIRY,
                special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
            ),
        )
        clock.advance(timedelta(hours=5))  # past the red window: the answer is late, and kept
        in_app(client, lambda: _send(kafka_bootstrap, answer))

        def answered() -> dict[str, Any] | None:
            view = client.get(f"/v1/{tenant}/contacts/{first}", headers=_staff(tenant)).json()
            by_agency = {e["agency"]: e for e in view["enquiries"]}
            return by_agency if by_agency["health"]["status"] == "answered" else None

        by_agency = wait_for(answered, what="health's answer")
        assert by_agency["health"]["answer"] == {"kind": "nothing-held"}
        assert by_agency["health"]["late"] is True
        assert by_agency["police"]["overdue"] is True

        # tenant and role are enforced by the front door itself
        assert _queue(client, other) == []
        forged = client.get(f"/v1/{other}/contacts/{first}", headers=_staff(other))
        assert forged.status_code == 404
        cross = client.get(f"/v1/{tenant}/contacts/{first}", headers=_staff(other))
        assert cross.status_code == 403
        assert cross.json()["reason"] == "tenant-not-permitted"
        auditor = client.get(f"/v1/{tenant}/contacts", headers=_staff(tenant, Role.AUDITOR))
        assert auditor.json()["reason"] == "role-not-permitted"
        assert client.get(f"/v1/{tenant}/contacts").json()["reason"] == "unauthenticated"


def test_a_manager_decides_and_the_decision_is_routed_and_told_to_the_referrer(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    settings = ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=(tenant,)
    )
    with running_service(build_app(settings, FixedClock(TUESDAY_9AM))) as client:
        concern = _concern(tenant, "INC-9", None)
        in_app(client, lambda: _send(kafka_bootstrap, concern))
        [contact] = wait_for(lambda: _queue(client, tenant), what="the contact")
        url = f"/v1/{tenant}/contacts/{contact['contact_id']}"
        cin = {
            "outcome": "CIN Referral",
            "reason": "Repeated exposure to domestic abuse; needs assessment.",
            "primary_need": "N1",
        }
        unrated = client.post(f"{url}/decision", json=cin, headers=_staff(tenant, Role.MANAGER))
        assert unrated.status_code == 409
        assert unrated.json()["reason"] == "contact-not-rated"
        rating = {"rag_rating": "amber", "rationale": "Police-rated amber; no injuries."}
        assert client.post(f"{url}/rating", json=rating, headers=_staff(tenant)).status_code == 200

        practitioner = client.post(f"{url}/decision", json=cin, headers=_staff(tenant))
        assert practitioner.status_code == 403
        assert practitioner.json()["reason"] == "role-not-permitted"
        incomplete = client.post(
            f"{url}/decision",
            json={**cin, "primary_need": None},
            headers=_staff(tenant, Role.MANAGER),
        )
        assert incomplete.status_code == 422
        assert incomplete.json()["reason"] == "decision-incomplete"
        decided = client.post(f"{url}/decision", json=cin, headers=_staff(tenant, Role.MANAGER))
        assert decided.status_code == 200, decided.text
        assert decided.json()["routed"] == ["referral-to-social-care"]
        assert decided.json()["decided_in_time"] is True

        referrals = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.front-door.referral-to-social-care.v1", expect=1
            ),
        )
        referral = from_kafka(referrals[0].value, referrals[0].headers)
        assert referral.data["contact_id"] == contact["contact_id"]
        assert referral.data["child"]["family_name"] == "Hart"
        outcomes = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.front-door.contact-decided.v1", expect=1
            ),
        )
        told = from_kafka(outcomes[0].value, outcomes[0].headers)
        assert told.data["origin_event_id"] == concern.id  # the police can match their concern
        assert told.data["outcome"] == "CIN Referral"
        again = client.post(f"{url}/decision", json=cin, headers=_staff(tenant, Role.MANAGER))
        assert again.json()["reason"] == "contact-already-decided"


def test_an_undecided_amber_contact_breaches_once_and_bank_holidays_do_not_count(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    christmas_eve_10am = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
    clock = FixedClock(christmas_eve_10am)
    settings = ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=(tenant,)
    )
    app = build_app(settings, clock, deadline_check_s=None)  # the test runs each check
    with running_service(app) as client:
        in_app(client, lambda: _send(kafka_bootstrap, _concern(tenant, "INC-X", None)))
        [contact] = wait_for(lambda: _queue(client, tenant), what="the contact")
        watch = app.state.deadline_watch

        clock.advance(timedelta(hours=23))  # amber window (24 h) not yet passed
        assert in_app(client, lambda: watch.check(tenant)) == []
        clock.advance(timedelta(hours=2))  # Christmas Day 11:00: amber window passed
        assert in_app(client, lambda: watch.check(tenant)) == [
            f"{contact['contact_id']}:screening-window"
        ]
        assert in_app(client, lambda: watch.check(tenant)) == []  # exactly once
        # the decision is due one working day later: Tuesday 29 December, not Boxing Day
        clock.current = datetime(2026, 12, 28, 23, 0, tzinfo=UTC)
        assert in_app(client, lambda: watch.check(tenant)) == []
        clock.current = datetime(2026, 12, 29, 10, 1, tzinfo=UTC)
        assert in_app(client, lambda: watch.check(tenant)) == [f"{contact['contact_id']}:decision"]

        breaches = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.front-door.contact-deadline-breached.v1", expect=2
            ),
        )
        clocks = sorted(from_kafka(r.value, r.headers).data["clock"] for r in breaches)
        assert clocks == ["decision", "screening-window"]
        assert 'hub_sla_breaches_total{clock="screening-window",rag_rating="amber"} 1.0' in (
            client.get("/metrics").text
        )


def test_hub_staff_take_a_contact_directly_through_the_same_intake(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    settings = ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=(tenant,)
    )
    with running_service(build_app(settings, FixedClock(TUESDAY_9AM))) as client:
        call = {
            "referral_source": "1B",  # an acquaintance: a neighbour rang the hub
            "rag_rating": "red",
            "concern_summary": "Neighbour heard a child screaming for an hour; no adult answered.",
            "child": {
                "given_name": "Leo",
                "family_name": "Carter",
                "date_of_birth": "2019-11-02",
                "nhs_number": "9434770009",
            },
        }
        taken = client.post(f"/v1/{tenant}/contacts", json=call, headers=_staff(tenant))
        assert taken.status_code == 201, taken.text
        contact_id = taken.json()["contact_id"]
        contact = client.get(f"/v1/{tenant}/contacts/{contact_id}", headers=_staff(tenant)).json()
        assert contact["referral_source"] == "1B"
        assert contact["origin_agency"] == "hub"
        assert contact["deadline"] == "2026-11-24T13:00:00Z"  # red: 4 hours from receipt
        assert contact["child"]["family_name"] == "Carter"

        # a police concern about the same child links to the same person (NHS number)
        police = _concern(tenant, "INC-77", "9434770009")
        in_app(client, lambda: _send(kafka_bootstrap, police))
        people = wait_for(
            lambda: {c["contact_id"] for c in _queue(client, tenant)} - {contact_id},
            what="the police contact",
        )
        [police_contact] = people
        linked = client.get(f"/v1/{tenant}/contacts/{police_contact}", headers=_staff(tenant))
        assert linked.json()["person_id"] == taken.json()["person_id"]

        received = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.front-door.contact-received.v1", expect=2
            ),
        )
        origins = sorted(from_kafka(r.value, r.headers).data["origin_agency"] for r in received)
        assert origins == ["hub", "police"]

        bad = {**call, "child": {**call["child"], "nhs_number": "9434770008"}}
        refused = client.post(f"/v1/{tenant}/contacts", json=bad, headers=_staff(tenant))
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["loc"][-1] == "nhs_number"
        auditor = client.post(
            f"/v1/{tenant}/contacts", json=call, headers=_staff(tenant, Role.AUDITOR)
        )
        assert auditor.json()["reason"] == "role-not-permitted"
