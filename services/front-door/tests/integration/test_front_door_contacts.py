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
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
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
                lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.MULTI_AGENCY_ENQUIRY
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
