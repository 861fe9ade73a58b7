"""Sharing decisions and enquiry status on the real broker and database: a manager shares
a child's record without consent (or decides not to), the view's sharing panel shows it,
an audit event is published; agency liaisons read enquiry status and nothing more."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from front_door.bootstrap import build_app
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import AgencyReference, ChildAsStated, ChildConcernRaisedV2
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_contracts.topics import topic_name
from hub_service import ServiceSettings
from hub_service.clock import FixedClock
from hub_service.staff import Role, issue_token
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, wait_for

pytestmark = pytest.mark.integration
TUESDAY_9AM = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _staff(tenant: str, *roles: Role, user: str = "u-hub-manager-1") -> dict[str, str]:
    token = issue_token(user, set(roles) or {Role.MANAGER}, {tenant})
    return {"Authorization": f"Bearer {token}"}


def _concern(tenant: str, reference: str) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject=f"CLV-{reference}",
        payload=ChildConcernRaisedV2(
            agency_reference=AgencyReference(agency=Agency.POLICE, reference=reference),
            referral_source=ReferralSource.POLICE,
            rag_rating=RagRating.RED,
            concern_summary="Child present at a domestic incident.",
            child=ChildAsStated(
                agency_person_id=f"CLV-{reference}",
                given_name="Mia",
                family_name=f"Share-{reference}",
                date_of_birth=date(2015, 6, 2),
            ),
            occurred_at=TUESDAY_9AM - timedelta(hours=2),
        ),
        sharing=SharingBasis(
            lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
        ),
    )


def _app(kafka_bootstrap: str, mongo_uri: str, *tenants: str) -> FastAPI:
    settings = ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=tenants
    )
    return build_app(settings, FixedClock(TUESDAY_9AM), deadline_check_s=None)


def _one_contact(client: TestClient, bootstrap: str, tenant: str, reference: str) -> Any:
    event = _concern(tenant, reference)
    key, value, headers = to_kafka(event)
    in_app(client, lambda: produce_raw(bootstrap, event.topic, value, headers, key))

    def arrived() -> Any:
        queue = client.get(f"/v1/{tenant}/contacts", headers=_staff(tenant)).json()
        return queue[0] if queue else None

    row = wait_for(arrived, what="the contact")
    detail = client.get(f"/v1/{tenant}/contacts/{row['contact_id']}", headers=_staff(tenant))
    return detail.json()


def test_a_manager_shares_without_consent_and_decides_not_to_share_both_shown_and_audited(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant, other = unique_name, f"{unique_name}x"
    with running_service(_app(kafka_bootstrap, mongo_uri, tenant, other)) as client:
        contact = _one_contact(client, kafka_bootstrap, tenant, "SHARE-1")
        person_id, contact_id = contact["person_id"], contact["contact_id"]
        url = f"/v1/{tenant}/persons/{person_id}/shares-without-consent"
        share = {
            "recipient": "health",
            "reason": "Risk of significant harm; mother refused consent; GP must know now.",
            "lawful_basis": "uk-gdpr-6-1-e",
            "special_category_condition": "dpa-2018-sch1-para18",
            "contact_id": contact_id,
        }

        # refusals first: nothing recorded by any of them
        practitioner = client.post(url, json=share, headers=_staff(tenant, Role.PRACTITIONER))
        assert (practitioner.status_code, practitioner.json()["reason"]) == (
            403,
            "role-not-permitted",
        )
        liaison = client.post(url, json=share, headers=_staff(tenant, Role.AGENCY_LIAISON))
        assert (liaison.status_code, liaison.json()["reason"]) == (403, "role-not-permitted")
        cross = client.post(url, json=share, headers=_staff(other))
        assert (cross.status_code, cross.json()["reason"]) == (403, "tenant-not-permitted")
        assert client.post(url, json=share).json()["reason"] == "unauthenticated"
        consent = client.post(
            url, json={**share, "lawful_basis": "uk-gdpr-6-1-a"}, headers=_staff(tenant)
        )
        assert (consent.status_code, consent.json()["reason"]) == (
            422,
            "consent-not-an-override-basis",
        )
        hub = client.post(url, json={**share, "recipient": "hub"}, headers=_staff(tenant))
        assert (hub.status_code, hub.json()["reason"]) == (422, "recipient-not-an-agency")
        no_reason = client.post(url, json={**share, "reason": " "}, headers=_staff(tenant))
        assert (no_reason.status_code, no_reason.json()["reason"]) == (422, "invalid-request")
        nobody = client.post(
            f"/v1/{tenant}/persons/HP-nobody/shares-without-consent",
            json=share,
            headers=_staff(tenant),
        )
        assert (nobody.status_code, nobody.json()["reason"]) == (404, "person-not-found")
        wrong_contact = client.post(
            url, json={**share, "contact_id": "C-nope"}, headers=_staff(tenant)
        )
        assert (wrong_contact.status_code, wrong_contact.json()["reason"]) == (
            404,
            "contact-not-found",
        )

        shared = client.post(url, json=share, headers=_staff(tenant))
        assert shared.status_code == 201, shared.text
        assert shared.json()["decision"] == "shared-without-consent"
        assert shared.json()["decided_by"] == "u-hub-manager-1"
        not_shared = client.post(
            f"/v1/{tenant}/persons/{person_id}/decisions-not-to-share",
            json={
                "recipient": "education",
                "reason_code": "not-necessary-for-purpose",
                "reason": "School does not need the incident detail for this decision.",
            },
            headers=_staff(tenant),
        )
        assert not_shared.status_code == 201, not_shared.text

        view = client.get(f"/v1/{tenant}/persons/{person_id}/view", headers=_staff(tenant))
        panel = view.json()["sharing"]
        [override] = panel["shared_without_consent"]
        assert override["recipient"] == "health"
        assert override["lawful_basis"] == "uk-gdpr-6-1-e"
        assert override["override_reason"].startswith("Risk of significant harm")
        assert override["authorised_by"] == "u-hub-manager-1"
        [refused] = panel["not_shared"]
        assert refused["recipient"] == "education"
        assert refused["decided_by"] == "u-hub-manager-1"
        assert refused["reason"].startswith("School does not need")

        topic = topic_name(tenant, "front-door", "sharing-decision-recorded", 1)

        # the topic also carries the bus's own audits of what the front door received,
        # so read until both of these decisions are there
        def both_decisions() -> dict[str, Any] | None:
            records = in_app(client, lambda: read_topic(kafka_bootstrap, topic, expect=2))
            audits = [from_kafka(r.value, r.headers) for r in records]
            found = {a.data["outcome"]: a for a in audits if a.data["event_id"].startswith("SD-")}
            return found if len(found) == 2 else None

        by_outcome = wait_for(both_decisions, what="both sharing decisions on the audit topic")
        assert set(by_outcome) == {"shared", "not-shared-by-choice"}
        shared_audit = by_outcome["shared"]
        assert shared_audit.subject == person_id
        assert shared_audit.data["recipient"] == "health-feed"
        assert shared_audit.data["lawful_basis"] == "uk-gdpr-6-1-e"
        assert shared_audit.data["authorised_by"] == "u-hub-manager-1"
        assert by_outcome["not-shared-by-choice"].data["reason_code"] == (
            "not-necessary-for-purpose"
        )
        every_audit = in_app(client, lambda: read_topic(kafka_bootstrap, topic, expect=2))
        assert "Mia" not in str([from_kafka(r.value, r.headers).data for r in every_audit])


def test_an_agency_liaison_reads_enquiry_status_and_nothing_of_the_child(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant, other = unique_name, f"{unique_name}x"
    with running_service(_app(kafka_bootstrap, mongo_uri, tenant, other)) as client:
        contact = _one_contact(client, kafka_bootstrap, tenant, "LIAISON-1")
        contact_id = contact["contact_id"]
        rated = client.post(
            f"/v1/{tenant}/contacts/{contact_id}/rating",
            json={"rag_rating": "red", "rationale": "Repeat incidents."},
            headers=_staff(tenant, Role.PRACTITIONER),
        )
        assert rated.status_code == 200, rated.text
        liaison = _staff(tenant, Role.AGENCY_LIAISON, user="u-liaison-1")

        board = client.get(f"/v1/{tenant}/enquiry-status", headers=liaison)
        assert board.status_code == 200, board.text
        [row] = board.json()
        assert row["contact_id"] == contact_id
        assert row["rag_rating"] == "red"
        assert row["seconds_left"] > 0
        assert sorted(e["agency"] for e in row["enquiries"]) == [
            "early-help",
            "education",
            "health",
            "police",
            "social-care",
        ]
        one = client.get(f"/v1/{tenant}/contacts/{contact_id}/enquiry-status", headers=liaison)
        assert one.status_code == 200, one.text
        text = str(board.json()) + str(one.json())
        assert "Mia" not in text
        assert "domestic" not in text
        assert "answer" not in one.json()
        assert all("answer" not in e for e in one.json()["enquiries"])

        # and nothing else of the child
        for path in (f"/contacts/{contact_id}", f"/contacts/{contact_id}/view", "/contacts"):
            refused = client.get(f"/v1/{tenant}{path}", headers=liaison)
            assert (refused.status_code, refused.json()["reason"]) == (403, "role-not-permitted")
        cross = client.get(f"/v1/{other}/enquiry-status", headers=liaison)
        assert (cross.status_code, cross.json()["reason"]) == (403, "tenant-not-permitted")
        auditor = client.get(f"/v1/{tenant}/enquiry-status", headers=_staff(tenant, Role.AUDITOR))
        assert (auditor.status_code, auditor.json()["reason"]) == (403, "role-not-permitted")
        missing = client.get(f"/v1/{tenant}/contacts/C-nope/enquiry-status", headers=liaison)
        assert (missing.status_code, missing.json()["reason"]) == (404, "contact-not-found")
        # the liaison's look at the contact is in the child's access log
        log = client.get(
            f"/v1/{tenant}/persons/{contact['person_id']}/access-log", headers=_staff(tenant)
        )
        assert "u-liaison-1" in {v["user_id"] for v in log.json()["views"]}

        decided = client.post(
            f"/v1/{tenant}/contacts/{contact_id}/decision",
            json={"outcome": "No Further Action", "reason": "Already safe."},
            headers=_staff(tenant),
        )
        assert decided.status_code == 200, decided.text
        after = client.get(f"/v1/{tenant}/contacts/{contact_id}/enquiry-status", headers=liaison)
        assert after.json()["seconds_left"] is None
        assert after.json()["decided_in_time"] is True
        assert client.get(f"/v1/{tenant}/enquiry-status", headers=liaison).json() == []
