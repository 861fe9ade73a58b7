"""Journeys across the agency services of the running hub, through their public APIs only."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import bson
import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from hub_contracts.identifiers import nhs_check_digit
from hub_localstack.stack import Stack
from hub_messaging.kafka_security import KafkaSecurity
from hub_testing.bus import wait_for
from pymongo import MongoClient

pytestmark = pytest.mark.e2e


def _auth(tenant: str, service: str) -> dict[str, str]:
    return {"Authorization": f"Bearer demo-{tenant}-{service}"}


def _api(hub: Stack, service: str) -> str:
    return hub.config.service_url(service)


def _random_nhs_number() -> str:
    while True:
        first = f"9{random.randrange(10**8):08d}"  # noqa: S311 - test data, not security
        check = nhs_check_digit(first)
        if check is not None:
            return f"{first}{check}"


def _mongo_holds(mongo_uri: str, prefix: str, canary: str) -> list[str]:
    """Collections of the databases named ``prefix*`` whose documents contain ``canary``.

    Searched in the raw BSON, so values inside outbox blobs count too.
    """
    needle = canary.encode()
    found = []
    with MongoClient(mongo_uri) as client:
        for name in client.list_database_names():
            if not name.startswith(prefix):
                continue
            for collection in client[name].list_collection_names():
                for doc in client[name][collection].find():
                    if needle in bson.encode(doc):
                        found.append(f"{name}.{collection}")
                        break
    return found


async def _topics_holding(
    bootstrap: str, security: KafkaSecurity, prefix: str, canary: str
) -> list[str]:
    """Topics named ``prefix*`` with a record whose key, value or headers contain ``canary``
    (read as the hub's admin: every topic)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security.aiokafka())
    await admin.start()
    try:
        topics = sorted(t for t in await admin.list_topics() if t.startswith(prefix))
    finally:
        await admin.close()
    if not topics:
        return []
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        **security.aiokafka(),
    )
    await consumer.start()
    needle = canary.encode()
    holding: set[str] = set()
    try:
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 3:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                quiet_since = time.monotonic()
                for r in records:
                    blob = (
                        (r.key or b"") + (r.value or b"") + b"".join(v or b"" for _, v in r.headers)
                    )
                    if needle in blob:
                        holding.add(r.topic)
    finally:
        await consumer.stop()
    return sorted(holding)


def test_domestic_abuse_in_stockton_reaches_the_school_and_never_hartlepool(hub: Stack) -> None:
    canary = f"Canary{uuid.uuid4().hex[:10]}"
    incident_ref = f"CLV-E2E-{uuid.uuid4().hex[:8]}"
    incident = {
        "record_id": incident_ref,
        "incident_kind": "domestic-abuse",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "place": "the family home",
        "summary": "Verbal and physical altercation between adults; child present.",
        "rag_rating": "amber",
        "officer_role": "response officer",
        "sensitive": False,
        "children": [
            {
                "child": {
                    "agency_person_id": f"CLV-P-{uuid.uuid4().hex[:8]}",
                    "given_name": "Maisie",
                    "family_name": canary,
                    "date_of_birth": "2017-04-12",
                    "sex": "female",
                },
                "present": True,
                "child_said": "I hid in my room.",
                "school_urn": "900200",
                "not_in_school": False,
            }
        ],
    }
    police, education = _api(hub, "police-feed"), _api(hub, "education")
    posted = httpx.post(
        f"{police}/v1/stockton/incidents",
        json=incident,
        headers=_auth("stockton", "police-feed"),
        timeout=30,
    )
    assert posted.status_code == 201, posted.text

    def school_notification() -> dict[str, Any] | None:
        listed = httpx.get(
            f"{education}/v1/stockton/schools/900200/encompass-notifications",
            headers=_auth("stockton", "education"),
            timeout=10,
        ).json()
        return next((n for n in listed if n["police_reference"] == incident_ref), None)

    notification = wait_for(school_notification, 60, "the school to receive the notification")
    assert notification["child_family_name"] == canary
    assert notification["child_said"] == "I hid in my room."
    acknowledged = httpx.post(
        f"{education}/v1/stockton/encompass-notifications/"
        f"{notification['notification_id']}/acknowledgement",
        json={"acknowledged_by_role": "designated-safeguarding-lead", "school_urn": "900200"},
        headers=_auth("stockton", "education"),
        timeout=30,
    )
    assert acknowledged.status_code in (200, 201), acknowledged.text

    def police_sees_acknowledgement() -> dict[str, Any] | None:
        listed = httpx.get(
            f"{police}/v1/stockton/encompass-notifications",
            headers=_auth("stockton", "police-feed"),
            timeout=10,
        ).json()
        return next(
            (
                n
                for n in listed
                if n["notification_id"] == notification["notification_id"]
                and n["status"] == "acknowledged"
            ),
            None,
        )

    wait_for(police_sees_acknowledgement, 60, "the police to see the acknowledgement")

    # Stockton holds it (the check can find it) ...
    stockton_topics = asyncio.run(
        _topics_holding(hub.config.kafka_bootstrap, hub.kafka_admin(), "stockton.", canary)
    )
    assert "stockton.police-feed.operation-encompass-notified.v1" in stockton_topics
    assert _mongo_holds(hub.config.mongo_uri, "stockton__", canary)
    # ... and no Hartlepool database, topic or consumer ever does
    assert _mongo_holds(hub.config.mongo_uri, "hartlepool__", canary) == []
    assert (
        asyncio.run(
            _topics_holding(hub.config.kafka_bootstrap, hub.kafka_admin(), "hartlepool.", canary)
        )
        == []
    )
    # nor can a Hartlepool client read it through the APIs
    assert all(
        n["police_reference"] != incident_ref
        for n in httpx.get(
            f"{education}/v1/hartlepool/schools/900200/encompass-notifications",
            headers=_auth("hartlepool", "education"),
            timeout=10,
        ).json()
    )
    forged = httpx.get(
        f"{education}/v1/stockton/schools/900200/encompass-notifications",
        headers=_auth("hartlepool", "education"),
        timeout=10,
    )
    assert forged.status_code == 403
    assert forged.json()["reason"] == "tenant-not-permitted"


def test_a_child_protection_plan_shows_in_a_and_e_and_social_care_sees_the_access(
    hub: Stack,
) -> None:
    nhs_number = _random_nhs_number()
    person_id = f"SC-P-{uuid.uuid4().hex[:8]}"
    social_care, health = _api(hub, "social-care"), _api(hub, "health-feed")
    started = httpx.post(
        f"{social_care}/v1/stockton/status-changes",
        json={
            "record_id": f"SC-CHG-{uuid.uuid4().hex[:8]}",
            "case_id": f"SC-CASE-{uuid.uuid4().hex[:8]}",
            "child": {
                "agency_person_id": person_id,
                "given_name": "Noah",
                "family_name": "Ellis",
                "date_of_birth": "2014-09-30",
                "sex": "male",
                "nhs_number": nhs_number,
            },
            "status_kind": "child-protection-plan",
            "change": "started",
            "started_on": datetime.now(UTC).date().isoformat(),
            "category_of_abuse": "Neglect",
        },
        headers=_auth("stockton", "social-care"),
        timeout=30,
    )
    assert started.status_code == 201, started.text
    check = {
        "nhs_number": nhs_number,
        "care_setting": "emergency-department",
        "organisation_name": "University Hospital of North Tees",
        "ods_code": "RVW",
        "accessed_by_role": "ED nurse",
    }

    def flagged() -> dict[str, Any] | None:
        response = httpx.post(
            f"{health}/v1/stockton/cp-is/checks",
            json=check,
            headers=_auth("stockton", "health-feed"),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if body.get("flags") else None

    answer = wait_for(flagged, 60, "health to hold the child protection flag")
    [flag] = answer["flags"]
    assert flag["status_kind"] == "child-protection-plan"
    authority = flag["responsible_authority"]
    assert authority["la_code"] == "808"
    assert authority["in_hours_phone"]
    assert authority["out_of_hours_phone"]
    assert "category_of_abuse" not in str(answer)  # A&E sees the plan, never its category

    def accessed() -> list[dict[str, Any]] | None:
        listed: list[dict[str, Any]] = httpx.get(
            f"{social_care}/v1/stockton/access-notifications",
            params={"nhs_number": nhs_number},
            headers=_auth("stockton", "social-care"),
            timeout=10,
        ).json()
        return listed or None

    [notice] = wait_for(accessed, 60, "social care to receive the access notification")
    assert "University Hospital of North Tees" in str(notice)
    # Hartlepool's A&E view of the same NHS number holds nothing
    other = httpx.post(
        f"{health}/v1/hartlepool/cp-is/checks",
        json=check,
        headers=_auth("hartlepool", "health-feed"),
        timeout=10,
    )
    assert other.status_code == 200
    assert other.json()["flags"] == []


DEMO_RECORDS = {
    "police-feed": "incidents",
    "health-feed": "fhir-bundles",
    "education": "pupils",
    "early-help": "episodes",
    "social-care": "status-changes",
}


@pytest.mark.parametrize("tenant", ["hartlepool", "stockton"])
def test_demo_data_exercises_every_agency_service_in_both_tenants(hub: Stack, tenant: str) -> None:
    for service, route in DEMO_RECORDS.items():
        listed = httpx.get(
            f"{_api(hub, service)}/v1/{tenant}/{route}",
            headers=_auth(tenant, service),
            timeout=10,
        )
        assert listed.status_code == 200, (service, listed.text)
        assert listed.json(), f"{service} has no demo {route} for {tenant}"


def test_demo_records_flow_between_stockton_agencies(hub: Stack) -> None:
    def school_list() -> list[dict[str, Any]] | None:
        listed: list[dict[str, Any]] = httpx.get(
            f"{_api(hub, 'education')}/v1/stockton/schools/900200/encompass-notifications",
            headers=_auth("stockton", "education"),
            timeout=10,
        ).json()
        return [n for n in listed if n["child_family_name"] == "Hart"] or None

    notices = wait_for(school_list, 60, "Amelia's Operation Encompass notification at her school")
    assert all(n["school_known"] for n in notices)  # the school directory was loaded first

    def oliver_flag() -> dict[str, Any] | None:
        body: dict[str, Any] = httpx.post(
            f"{_api(hub, 'health-feed')}/v1/stockton/cp-is/checks",
            json={
                "nhs_number": "9434760003",
                "care_setting": "emergency-department",
                "organisation_name": "Stockton-on-Tees Emergency Department (demo)",
                "accessed_by_role": "ED nurse",
            },
            headers=_auth("stockton", "health-feed"),
            timeout=10,
        ).json()
        return body if body.get("flags") else None

    assert wait_for(oliver_flag, 60, "Oliver's child protection flag in A&E")["flags"]
