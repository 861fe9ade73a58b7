"""A burst of alike children through the front door's real intake (Kafka, MongoDB): every
one becomes a contact, no new person gets more than K candidates, and the review list
comes a page at a time, best score first, with the total."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from front_door.bootstrap import build_app
from front_door.settings import FrontDoorSettings
from hub_contracts.binding import to_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import AgencyReference, ChildAsStated, ChildConcernRaisedV2, Sex
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.kafka_security import kafka_options
from hub_service import ServiceSettings
from hub_service.clock import FixedClock
from hub_service.staff import Role, issue_token
from hub_testing.bus import in_app, running_service, wait_for

pytestmark = pytest.mark.integration
TUESDAY_9AM = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
BURST = 150
K = 3
SURNAMES = ("Thompson", "Thomson", "Tompson", "Thomsen", "Thompsen", "Tomson", "Thomason")


def _staff(tenant: str) -> dict[str, str]:
    token = issue_token("u-hub-1", {Role.PRACTITIONER}, {tenant})
    return {"Authorization": f"Bearer {token}"}


def _concern(tenant: str, i: int) -> CloudEvent:
    """The i-th child of the burst: Olivia, born 14 May 2017, a surname a few letters apart."""
    person = f"CLV-P-{i:04d}"
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject=person,
        payload=ChildConcernRaisedV2(
            agency_reference=AgencyReference(agency=Agency.POLICE, reference=f"INC-{i:04d}"),
            referral_source=ReferralSource.POLICE,
            rag_rating=RagRating.AMBER,
            concern_summary="Child present at a domestic incident.",
            child=ChildAsStated(
                agency_person_id=person,
                given_name="Olivia",
                family_name=SURNAMES[i % len(SURNAMES)] + "e" * (i // len(SURNAMES) % 3),
                date_of_birth=date(2017, 5, 14),
                sex=Sex.FEMALE,
            ),
            occurred_at=TUESDAY_9AM - timedelta(hours=1),
        ),
        sharing=SharingBasis(
            lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
        ),
    )


def test_a_burst_of_alike_children_all_become_contacts_with_at_most_k_candidates_each(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    settings = ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=(tenant,)
    )
    app = build_app(
        settings,
        FixedClock(TUESDAY_9AM),
        deadline_check_s=None,
        front_door_settings=FrontDoorSettings(max_candidates_per_person=K),
    )
    with running_service(app) as client:
        db = app.state.runtime.database(tenant)

        async def send() -> None:
            producer = AIOKafkaProducer(
                bootstrap_servers=kafka_bootstrap,
                acks="all",
                enable_idempotence=True,
                **kafka_options(),
            )
            await producer.start()
            try:
                for i in range(BURST):
                    key, value, headers = to_kafka(_concern(tenant, i))
                    await producer.send(
                        f"{tenant}.police-feed.child-concern-raised.v2",
                        value=value,
                        key=key,
                        headers=headers,
                    )
                await producer.flush()
            finally:
                await producer.stop()

        in_app(client, send)

        async def contacts() -> int | None:
            count: int = await db["contacts"].count_documents({})
            return count if count >= BURST else None

        assert wait_for(lambda: in_app(client, contacts), timeout_s=120, what="the burst") == BURST

        async def candidates() -> list[dict[str, Any]]:
            return await db["person_candidates"].find({"status": "open"}).to_list()

        found = in_app(client, candidates)
        per_person = Counter(c["new_person_id"] for c in found)
        assert max(per_person.values()) == K  # every pair is worth a look; only K are kept
        # unbounded it would be 0+1+...+149 = 11,175; bounded 0+1+2+3x147
        assert len(found) == 0 + 1 + 2 + K * (BURST - K)

        # the review list: pages of 100, best first and stable, with the total
        url = f"/v1/{tenant}/person-candidates"
        pages = []
        for offset in range(0, len(found) + 100, 100):
            page = client.get(url, params={"limit": 100, "offset": offset}, headers=_staff(tenant))
            assert page.status_code == 200, page.text
            assert page.headers["X-Total-Count"] == str(len(found))
            pages.append(page.json())
        assert [len(p) for p in pages] == [100, 100, 100, 100, 44, 0]
        listed = [c for p in pages for c in p]
        assert len({c["candidate_id"] for c in listed}) == len(found)
        order = [(-c["score"], c["candidate_id"]) for c in listed]
        assert order == sorted(order)
        assert listed[0]["new_person"]["given_name"] == "Olivia"
        everything = client.get(url, params={"limit": 500}, headers=_staff(tenant)).json()
        assert [c["candidate_id"] for c in everything] == [c["candidate_id"] for c in listed]
        rejected = client.get(url, params={"status": "rejected"}, headers=_staff(tenant))
        assert (rejected.json(), rejected.headers["X-Total-Count"]) == ([], "0")
