"""The agency kit in a real service on the real broker and database.

A small test agency (as the police feed) ingests a record over HTTP and from
its inbound topic, refuses bad input with machine-readable reasons, and
answers the hub's enquiries from what it holds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from hub_agency.basis import agency_basis
from hub_agency.clients import demo_token
from hub_agency.domain import AgencyRecord, Rejected
from hub_agency.enquiries import EnquiryAnswering, EnquiryAsSeen
from hub_agency.ingest import IngestContext, RecordIngest, RecordKind
from hub_agency.people import CHILDREN, find_child, remember_child
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import (
    AgencyReference,
    ChildAsStated,
    ChildConcernRaisedV2,
    ChildIdentifiers,
    EnquiryRequested,
    FactHeld,
    InformationHeld,
    NothingHeld,
)
from hub_contracts.sharing import Purpose
from hub_messaging.consumer import HandlerContext
from hub_service.app import ServiceRuntime, create_service_app
from hub_service.settings import ServiceSettings
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, until, wait_for
from pydantic import Field

pytestmark = pytest.mark.integration


class IncidentRecord(AgencyRecord):
    """A test record: an incident about one child."""

    child: ChildAsStated = Field(description="The child.")
    summary: str = Field(description="What happened.")
    raise_concern: bool = Field(default=True, description="Whether it worries the police.")


async def apply_incident(record: IncidentRecord, ctx: IngestContext) -> Sequence[CloudEvent]:
    if record.summary == "refuse me":
        raise Rejected("unknown-school", "no school 999999 in this tenant")
    if record.summary == "break me":
        raise RuntimeError("a bug in this kind's apply")
    await remember_child(ctx.tx.db, ctx.tx.session, record.child)
    if not record.raise_concern:
        return []
    payload = ChildConcernRaisedV2(
        agency_reference=AgencyReference(agency=Agency.POLICE, reference=record.record_id),
        referral_source=ReferralSource.POLICE,
        rag_rating=RagRating.AMBER,
        concern_summary=record.summary,
        child=record.child,
        occurred_at=ctx.received_at,
    )
    subject = record.child.agency_person_id
    return [
        ctx.event(
            payload,
            subject=subject,
            sharing=agency_basis(ctx.service, Purpose.SAFEGUARDING_SCREENING),
        )
    ]


INCIDENTS = RecordKind("test-incident", "test-incidents", IncidentRecord, apply_incident, "Record")


async def search(enquiry: EnquiryAsSeen, ctx: HandlerContext) -> InformationHeld | NothingHeld:
    ids = await find_child(ctx.db, enquiry.child, ctx.session)
    if not ids:
        return NothingHeld(kind="nothing-held")
    return InformationHeld(
        kind="information-held",
        facts=tuple(
            FactHeld(kind="test-incident", summary="incident on record", agency_reference=i)
            for i in ids
        ),
    )


def _app(kafka: str, mongo: str, tenants: tuple[str, ...]) -> FastAPI:
    def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
        ingest = RecordIngest(runtime, [INCIDENTS])
        answering = EnquiryAnswering(runtime, search, "police researcher")
        app.include_router(ingest.router())
        app.include_router(answering.router())
        ingest.subscribe()
        runtime.consume(handlers=answering.handlers, collections=[*answering.collections, CHILDREN])

    settings = ServiceSettings.for_service(
        "police-feed", kafka_bootstrap=kafka, mongo_uri=mongo, tenants=tenants
    )
    return create_service_app(settings, title="test agency", configure=configure)


def _incident(record_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": record_id,
        "child": {
            "agency_person_id": "P-1",
            "given_name": "Amelia",
            "family_name": "Hart",
            "date_of_birth": "2016-03-01",
            "nhs_number": "9434765919",
        },
        "summary": "child present at a domestic incident",
    }
    body.update(overrides)
    return body


def _auth(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(tenant, 'police-feed')}"}


def test_http_ingest_is_idempotent_and_refuses_bad_input_with_reasons(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    mine, other = f"{unique_name}a", f"{unique_name}b"
    with running_service(_app(kafka_bootstrap, mongo_uri, (mine, other))) as client:
        url = f"/v1/{mine}/test-incidents"
        first = client.post(url, json=_incident("INC-1"), headers=_auth(mine))
        assert first.status_code == 201, first.text
        assert first.json()["status"] == "accepted"
        [event] = first.json()["events"]
        assert event["type"] == "uk.childrenshub.child-concern-raised.v2"
        assert event["shared"] is True

        again = client.post(url, json=_incident("INC-1"), headers=_auth(mine))
        assert again.status_code == 200
        assert again.json()["status"] == "duplicate"
        assert again.json()["events"] == first.json()["events"]

        def problem(response: Any, status: int) -> str:
            assert response.status_code == status, response.text
            assert response.headers["content-type"] == "application/problem+json"
            return str(response.json()["reason"])

        changed = _incident("INC-1", summary="something else")
        assert (
            problem(client.post(url, json=changed, headers=_auth(mine)), 409)
            == "record-id-conflict"
        )
        bad_nhs = _incident("INC-2")
        bad_nhs["child"]["nhs_number"] = "9434765918"
        response = client.post(url, json=bad_nhs, headers=_auth(mine))
        assert problem(response, 422) == "invalid-request"
        assert response.json()["errors"][0]["loc"] == ["body", "child", "nhs_number"]
        assert "9434765918" not in response.text  # refusals never echo personal data
        refused = client.post(
            url, json=_incident("INC-3", summary="refuse me"), headers=_auth(mine)
        )
        assert problem(refused, 422) == "unknown-school"
        wrong_tenant = client.post(
            f"/v1/{other}/test-incidents", json=_incident("INC-4"), headers=_auth(mine)
        )
        assert problem(wrong_tenant, 403) == "tenant-not-permitted"
        unknown = client.post(
            "/v1/nowhere/test-incidents", json=_incident("INC-5"), headers=_auth(mine)
        )
        assert problem(unknown, 404) == "unknown-tenant"
        assert problem(client.post(url, json=_incident("INC-6")), 401) == "unauthenticated"
        huge = _incident("INC-7", summary="x" * 300_000)
        assert problem(client.post(url, json=huge, headers=_auth(mine)), 413) == "body-too-large"

        listed = client.get(url, headers=_auth(mine)).json()
        assert [r["record_id"] for r in listed] == ["INC-1"]
        assert client.get(f"/v1/{other}/test-incidents", headers=_auth(other)).json() == []

        concerns = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{mine}.police-feed.child-concern-raised.v2", expect=1
            ),
        )
        assert [from_kafka(r.value, r.headers).id for r in concerns] == [event["id"]]
        metrics = client.get("/metrics").text
        assert (
            'hub_records_rejected_total{kind="test-incident",'
            'reason="record-id-conflict",via="http"} 1.0' in metrics
        )


def test_inbound_topic_ingests_records_and_dead_letters_bad_ones(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    topic = f"{tenant}.police-feed-inbound.test-incident.v1"
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:

        async def send_all() -> None:
            await produce_raw(kafka_bootstrap, topic, json.dumps(_incident("K-1")).encode())
            await produce_raw(kafka_bootstrap, topic, json.dumps(_incident("K-1")).encode())
            await produce_raw(kafka_bootstrap, topic, b"{not json")
            await produce_raw(kafka_bootstrap, topic, json.dumps({"record_id": "K-2"}).encode())

        in_app(client, send_all)
        dead = in_app(client, lambda: read_topic(kafka_bootstrap, f"{topic}.dlq", expect=2))
        reasons = sorted(dict(r.headers)["dlq_reason"].decode() for r in dead)
        assert reasons == ["invalid-record", "malformed-json"]

        async def accepted() -> list[dict[str, Any]]:
            runtime: ServiceRuntime = client.app.state.runtime  # type: ignore[attr-defined]
            return await runtime.database(tenant)["test_incidents"].find().to_list()

        docs = in_app(client, lambda: until(accepted, what="the inbound record"))
        assert [d["_id"] for d in docs] == ["K-1"]
        assert docs[0]["via"] == "kafka"


def test_enquiries_are_answered_from_the_agencys_records(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        assert (
            client.post(
                f"/v1/{tenant}/test-incidents",
                json=_incident("INC-1", raise_concern=False),
                headers=_auth(tenant),
            ).status_code
            == 201
        )

        def enquiry(enquiry_id: str, given: str, agency: Agency = Agency.POLICE) -> CloudEvent:
            return CloudEvent.new(
                tenant=tenant,
                producer="front-door",
                subject="hub-child-1",
                payload=EnquiryRequested(
                    enquiry_id=enquiry_id,
                    contact_id="C-1",
                    target_agency=agency,
                    child=ChildIdentifiers(
                        given_name=given,
                        family_name="Hart",
                        date_of_birth=datetime(2016, 3, 1).date(),
                    ),
                    purpose="Known to police?",
                    rag_rating=RagRating.RED,
                    respond_by=datetime.now(UTC) + timedelta(hours=4),
                ),
                sharing=agency_basis("front-door", Purpose.MULTI_AGENCY_ENQUIRY),
            )

        async def send() -> None:
            for e in (
                enquiry("E-1", "Amelia"),
                enquiry("E-2", "Zachary"),
                enquiry("E-3", "Amelia", Agency.HEALTH),
            ):
                key, value, headers = to_kafka(e)
                await produce_raw(kafka_bootstrap, e.topic, value, headers, key)

        in_app(client, send)
        answers = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.police-feed.enquiry-answered.v1", expect=2
            ),
        )
        by_id = {
            a.enquiry_id: a for a in (from_kafka(r.value, r.headers).payload() for r in answers)
        }
        assert set(by_id) == {"E-1", "E-2"}  # E-3 was for health
        assert by_id["E-1"].answer.kind == "information-held"
        assert [f.agency_reference for f in by_id["E-1"].answer.facts] == ["P-1"]
        assert by_id["E-2"].answer.kind == "nothing-held"
        listed = client.get(f"/v1/{tenant}/enquiries", headers=_auth(tenant)).json()
        assert {e["enquiry_id"]: e["late"] for e in listed} == {"E-1": False, "E-2": False}


def test_an_inbound_record_that_keeps_failing_is_dead_lettered_and_the_rest_go_on(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    topic = f"{tenant}.police-feed-inbound.test-incident.v1"
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:

        async def send_all() -> None:
            for record in (
                _incident("K-1"),
                _incident("K-2", summary="break me"),
                _incident("K-3"),
            ):
                await produce_raw(kafka_bootstrap, topic, json.dumps(record).encode())

        in_app(client, send_all)

        async def accepted() -> list[str] | None:
            runtime: ServiceRuntime = client.app.state.runtime  # type: ignore[attr-defined]
            ids = [
                d["_id"] for d in await runtime.database(tenant)["test_incidents"].find().to_list()
            ]
            return sorted(ids) if len(ids) == 2 else None

        assert in_app(
            client, lambda: until(accepted, what="the records around the failing one")
        ) == [
            "K-1",
            "K-3",
        ]
        [dead] = in_app(client, lambda: read_topic(kafka_bootstrap, f"{topic}.dlq", expect=1))
        headers = {k: v.decode() for k, v in dead.headers}
        assert headers["dlq_reason"] == "handler-failed"
        assert (
            headers["dlq_detail"] == "RuntimeError: a bug in this kind's apply (after 3 attempts)"
        )
        assert json.loads(dead.value)["record_id"] == "K-2"  # kept as sent, for a replay

        def counted() -> bool:
            return (
                f'hub_dead_letters_total{{reason="handler-failed",topic="{topic}.dlq"}} 1.0'
                in client.get("/metrics").text
            )

        assert wait_for(counted, what="the dead letter counted")
