"""The person index on the real broker and database: candidates, confirm, unlink, reject."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from front_door.bootstrap import build_app
from front_door.service_layer.persons import suggest_candidates
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import Address, AgencyReference, ChildAsStated, ChildConcernRaisedV2, Sex
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_service import ServiceSettings
from hub_service.clock import FixedClock
from hub_service.staff import Role, issue_token
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, wait_for

pytestmark = pytest.mark.integration
TUESDAY_9AM = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HOME = Address(lines=("12 Marine Drive",), town="Hartlepool", postcode="TS24 7AB")
BORN = date(2016, 3, 1)


def _staff(tenant: str, *roles: Role) -> dict[str, str]:
    token = issue_token("u-hub-1", set(roles) or {Role.PRACTITIONER}, {tenant})
    return {"Authorization": f"Bearer {token}"}


def _concern(
    tenant: str,
    agency: Agency,
    person_ref: str,
    given: str,
    sex: Sex = Sex.FEMALE,
    reference: str | None = None,
) -> CloudEvent:
    police = agency is Agency.POLICE
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed" if police else "education",
        subject=person_ref,
        payload=ChildConcernRaisedV2(
            agency_reference=AgencyReference(
                agency=agency, reference=reference or f"REF-{person_ref}"
            ),
            referral_source=ReferralSource.POLICE if police else ReferralSource.SCHOOLS,
            rag_rating=RagRating.AMBER,
            concern_summary="Child present at a domestic incident.",
            child=ChildAsStated(
                agency_person_id=person_ref,
                given_name=given,
                family_name="Hart",
                date_of_birth=BORN,
                sex=sex,
                address=HOME,
            ),
            occurred_at=TUESDAY_9AM - timedelta(hours=2),
        ),
        sharing=SharingBasis(
            lawful_basis=LawfulBasis.LAW_ENFORCEMENT if police else LawfulBasis.PUBLIC_TASK,
            purpose=Purpose.SAFEGUARDING_SCREENING,
        ),
    )


def _send(client: TestClient, bootstrap: str, *events: CloudEvent) -> None:
    for event in events:
        key, value, headers = to_kafka(event)
        in_app(client, lambda: produce_raw(bootstrap, event.topic, value, headers, key))  # noqa: B023


def _contacts(client: TestClient, tenant: str, count: int) -> dict[str, dict[str, Any]]:
    """The contacts by their origin reference, once ``count`` are there (with person ids)."""

    def fetch() -> dict[str, dict[str, Any]] | None:
        queue = client.get(f"/v1/{tenant}/contacts", headers=_staff(tenant)).json()
        if len(queue) < count:
            return None
        details = [
            client.get(f"/v1/{tenant}/contacts/{c['contact_id']}", headers=_staff(tenant)).json()
            for c in queue
        ]
        return {d["origin_reference"]: d for d in details}

    return wait_for(fetch, what=f"{count} contacts")


def _app(kafka_bootstrap: str, mongo_uri: str, *tenants: str) -> FastAPI:
    settings = ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=tenants
    )
    return build_app(settings, FixedClock(TUESDAY_9AM), deadline_check_s=None)


def test_a_nickname_gives_one_candidate_a_manager_confirms_then_unlinks_it(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant, other = unique_name, f"{unique_name}x"
    with running_service(_app(kafka_bootstrap, mongo_uri, tenant, other)) as client:
        _send(
            client,
            kafka_bootstrap,
            _concern(tenant, Agency.POLICE, "CLV-P-1", "Katherine"),
            _concern(tenant, Agency.EDUCATION, "EDU-77", "Katie"),
            _concern(tenant, Agency.POLICE, "CLV-P-2", "Emily"),  # her twin: never a candidate
        )
        contacts = _contacts(client, tenant, 3)
        katherine = contacts["REF-CLV-P-1"]["person_id"]
        katie = contacts["REF-EDU-77"]["person_id"]
        assert len({katherine, katie, contacts["REF-CLV-P-2"]["person_id"]}) == 3

        url = f"/v1/{tenant}/person-candidates"
        listed = client.get(url, params={"status": "open"}, headers=_staff(tenant))
        assert listed.status_code == 200, listed.text
        [candidate] = listed.json()
        assert {candidate["new_person_id"], candidate["existing_person_id"]} == {katherine, katie}
        assert candidate["evidence"]["given_name"] == "nickname"
        assert candidate["evidence"]["date_of_birth"] == "exact"
        cid = candidate["candidate_id"]
        survivor, merged = candidate["existing_person_id"], candidate["new_person_id"]

        # refusals: role, tenant, authentication, unknown candidate
        reason = {"reason": "School and police records agree; mother confirmed 'Katie'."}
        practitioner = client.post(f"{url}/{cid}/confirmation", json=reason, headers=_staff(tenant))
        assert practitioner.status_code == 403
        assert practitioner.json()["reason"] == "role-not-permitted"
        auditor = client.get(url, headers=_staff(tenant, Role.AUDITOR))
        assert auditor.status_code == 403
        assert auditor.json()["reason"] == "role-not-permitted"
        cross = client.post(
            f"{url}/{cid}/confirmation", json=reason, headers=_staff(other, Role.MANAGER)
        )
        assert cross.status_code == 403
        assert cross.json()["reason"] == "tenant-not-permitted"
        assert client.get(url).json()["reason"] == "unauthenticated"
        unknown = client.post(
            f"{url}/PC-nope/confirmation", json=reason, headers=_staff(tenant, Role.MANAGER)
        )
        assert unknown.status_code == 404
        assert unknown.json()["reason"] == "candidate-not-found"
        elsewhere = client.get(f"/v1/{other}/person-candidates", headers=_staff(other))
        assert elsewhere.json() == []  # nothing leaks across tenants
        no_reason = client.post(
            f"{url}/{cid}/confirmation", json={}, headers=_staff(tenant, Role.MANAGER)
        )
        assert no_reason.status_code == 422

        confirmed = client.post(
            f"{url}/{cid}/confirmation", json=reason, headers=_staff(tenant, Role.MANAGER)
        )
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["survivor_id"] == survivor
        assert confirmed.json()["repointed"]["contacts"] == 1
        again = client.post(
            f"{url}/{cid}/confirmation", json=reason, headers=_staff(tenant, Role.MANAGER)
        )
        assert again.status_code == 409
        assert again.json()["reason"] == "candidate-already-decided"
        contacts = _contacts(client, tenant, 3)
        assert {contacts[r]["person_id"] for r in ("REF-CLV-P-1", "REF-EDU-77")} == {survivor}

        person = client.get(f"/v1/{tenant}/persons/{survivor}", headers=_staff(tenant)).json()
        assert [p["person_id"] for p in person["linked_persons"]] == [merged]
        merged_view = client.get(f"/v1/{tenant}/persons/{merged}", headers=_staff(tenant)).json()
        assert merged_view["merged_into"] == survivor

        # while linked, the merged person's agency id resolves to the survivor
        again_ref = _concern(tenant, Agency.EDUCATION, "EDU-77", "Katie", reference="REF-LATER")
        if merged == katherine:
            again_ref = _concern(
                tenant, Agency.POLICE, "CLV-P-1", "Katherine", reference="REF-LATER"
            )
        _send(client, kafka_bootstrap, again_ref)
        assert _contacts(client, tenant, 4)["REF-LATER"]["person_id"] == survivor

        unlinked = client.post(
            f"/v1/{tenant}/persons/{merged}/unlink",
            json={"reason": "Different children: the school's Katie is a cousin."},
            headers=_staff(tenant, Role.MANAGER),
        )
        assert unlinked.status_code == 200, unlinked.text
        assert unlinked.json()["restored"]["contacts"] == 1
        after = _contacts(client, tenant, 4)
        # exactly what the link moved went back; what arrived while linked stays
        assert after["REF-CLV-P-1"]["person_id"] == katherine
        assert after["REF-EDU-77"]["person_id"] == katie
        assert after["REF-LATER"]["person_id"] == survivor
        not_linked = client.post(
            f"/v1/{tenant}/persons/{merged}/unlink",
            json={"reason": "again"},
            headers=_staff(tenant, Role.MANAGER),
        )
        assert not_linked.status_code == 409
        assert not_linked.json()["reason"] == "person-not-linked"
        practitioner_unlink = client.post(
            f"/v1/{tenant}/persons/{merged}/unlink", json=reason, headers=_staff(tenant)
        )
        assert practitioner_unlink.json()["reason"] == "role-not-permitted"
        missing = client.get(f"/v1/{tenant}/persons/HP-nope", headers=_staff(tenant))
        assert missing.status_code == 404
        assert missing.json()["reason"] == "person-not-found"
        open_after = client.get(url, headers=_staff(tenant)).json()
        assert open_after == []  # an unlinked pair is not suggested again

        records = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.front-door.person-link-changed.v1", expect=2
            ),
        )
        events = [from_kafka(r.value, r.headers) for r in records]
        assert [e.data["action"] for e in events] == ["linked", "unlinked"]
        linked = events[0].data
        assert (linked["person_id"], linked["other_person_id"]) == (survivor, merged)
        assert linked["decided_by"] == "u-hub-1"
        assert "given_name=nickname" in linked["evidence_summary"]
        assert "Kat" not in linked["evidence_summary"]  # no names on the audit event
        assert events[0].subject == survivor


def test_a_rejected_candidate_is_never_suggested_again(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    app = _app(kafka_bootstrap, mongo_uri, tenant)
    with running_service(app) as client:
        _send(
            client,
            kafka_bootstrap,
            _concern(tenant, Agency.POLICE, "CLV-P-9", "William", Sex.MALE),
            _concern(tenant, Agency.EDUCATION, "EDU-9", "Bill", Sex.MALE),
        )
        contacts = _contacts(client, tenant, 2)
        url = f"/v1/{tenant}/person-candidates"
        [candidate] = wait_for(lambda: client.get(url, headers=_staff(tenant)).json())
        cid = candidate["candidate_id"]
        unknown = client.post(
            f"{url}/PC-nope/rejection", json={"reason": "x"}, headers=_staff(tenant)
        )
        assert unknown.json()["reason"] == "candidate-not-found"

        rejected = client.post(
            f"{url}/{cid}/rejection",
            json={"reason": "Different boys: dates of birth confirmed with the school."},
            headers=_staff(tenant),  # a practitioner may keep two records apart
        )
        assert rejected.status_code == 200, rejected.text
        again = client.post(
            f"{url}/{cid}/confirmation", json={"reason": "x"}, headers=_staff(tenant, Role.MANAGER)
        )
        assert again.status_code == 409
        assert again.json()["reason"] == "candidate-already-decided"
        assert client.get(url, headers=_staff(tenant)).json() == []
        [kept] = client.get(url, params={"status": "rejected"}, headers=_staff(tenant)).json()
        assert kept["decided_by"] == "u-hub-1"

        # scoring the pair again (as a new contact would) suggests nothing
        runtime = app.state.runtime

        async def suggest_again() -> list[str]:
            async with runtime.transaction(tenant) as tx:
                return await suggest_candidates(
                    tx.db, tx.session, candidate["new_person_id"], TUESDAY_9AM
                )

        assert in_app(client, suggest_again) == []
        assert client.get(url, headers=_staff(tenant)).json() == []
        assert {c["person_id"] for c in contacts.values()} == {
            candidate["new_person_id"],
            candidate["existing_person_id"],
        }
        records = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.front-door.person-link-changed.v1", expect=1
            ),
        )
        event = from_kafka(records[0].value, records[0].headers)
        assert event.data["action"] == "rejected"
        assert event.data["candidate_id"] == cid
