"""Two services on the real broker and database, talking only through the bus."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from hub_contracts.envelope import CloudEvent, EventPayload, register
from hub_contracts.policy import SharingPolicy
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.consumer import Delivery, HandlerContext
from hub_service.app import ServiceRuntime, create_service_app
from hub_service.settings import ServiceSettings
from hub_testing.bus import in_app, running_service, wait_for
from pydantic import Field

pytestmark = pytest.mark.integration


@register
class ServiceTestConcernNoted(EventPayload):
    """A concern noted by the police (test contract)."""

    event_name: ClassVar[str] = "service-test-concern-noted"
    producers: ClassVar[tuple[str, ...]] = ("police-feed",)
    child_ref: str = Field(description="Child reference.")
    summary: str = Field(description="Shared with the hub.")
    officer_notes: str = Field(description="Withheld from the hub.")


POLICY = SharingPolicy.from_yaml(
    """
version: 1
rules:
  - event: service-test-concern-noted
    recipient: front-door
    purposes: [safeguarding-screening]
    lawful_bases: [dpa-2018-part-3]
    fields: [child_ref, summary]
"""
)


def _settings(service: str, tenant: str, kafka: str, mongo: str) -> ServiceSettings:
    return ServiceSettings.for_service(
        service, kafka_bootstrap=kafka, mongo_uri=mongo, tenants=(tenant,)
    )


def test_police_event_reaches_the_front_door_minimised_in_the_same_tenant(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name

    async def note_concern(delivery: Delivery, ctx: HandlerContext) -> None:
        await ctx.db["concerns"].insert_one(
            {"_id": delivery.event.id, "data": delivery.event.data}, session=ctx.session
        )

    def front_door_configure(runtime: ServiceRuntime, app: FastAPI) -> None:
        runtime.consume(
            handlers={"service-test-concern-noted": note_concern}, collections=["concerns"]
        )

    police = create_service_app(
        _settings("police-feed", tenant, kafka_bootstrap, mongo_uri), title="p", policy=POLICY
    )
    front_door = create_service_app(
        _settings("front-door", tenant, kafka_bootstrap, mongo_uri),
        title="f",
        policy=POLICY,
        configure=front_door_configure,
    )
    with running_service(front_door) as fd_client, running_service(police) as police_client:
        police_runtime: ServiceRuntime = police.state.runtime
        fd_runtime: ServiceRuntime = front_door.state.runtime
        event = CloudEvent.new(
            tenant=tenant,
            producer="police-feed",
            subject="child-7",
            payload=ServiceTestConcernNoted(
                child_ref="child-7", summary="child present at incident", officer_notes="CANARY"
            ),
            sharing=SharingBasis(
                lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
            ),
        )

        async def record_incident() -> None:
            async with police_runtime.transaction(tenant) as tx:
                await tx.db["incidents"].insert_one({"_id": "inc-1"}, session=tx.session)
                decisions = await tx.publish([event])
                assert decisions[0].allowed

        in_app(police_client, record_incident)

        async def stored() -> list[dict[str, Any]]:
            return await fd_runtime.database(tenant)["concerns"].find().to_list()

        docs = wait_for(lambda: in_app(fd_client, stored), what="the event at the front door")
        assert docs == [
            {
                "_id": event.id,
                "data": {"child_ref": "child-7", "summary": "child present at incident"},
            }
        ]
        metrics = fd_client.get("/metrics").text
        assert (
            'hub_events_consumed_total{event_type="uk.childrenshub.service-test-concern-noted.v1"'
            in metrics
        )
