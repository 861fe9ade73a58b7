"""Consent as the basis: checked by every holder, and withdrawal acted on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from bus_fixtures import headers_of
from faststream.kafka import KafkaBroker
from hub_contracts.envelope import CloudEvent
from hub_contracts.events.common import ConsentGiver, Relationship
from hub_contracts.events.records import (
    ConsentMethod,
    ConsentRecorded,
    ConsentScope,
    ConsentWithdrawn,
)
from hub_contracts.examples import example_events
from hub_contracts.policy import load_policy
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_contracts.topics import dead_letter_topic
from hub_messaging.consumer import Delivery, EventConsumer, HandlerContext
from hub_messaging.kafka_security import KafkaSecurity, kafka_options
from hub_messaging.outbox import Outbox, ensure_collections
from hub_messaging.relay import OutboxRelay
from hub_messaging.topics import ensure_topics
from hub_testing.bus import read_topic, until
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration
RECORDS = SharingBasis(lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.RECORDS_MANAGEMENT)
NOW = datetime.now(UTC)
MOTHER = ConsentGiver(relationship=Relationship.MOTHER, has_parental_responsibility=True)


def _consent(tenant: str, consent_id: str, *, expires: datetime | None = None) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer="early-help",
        subject="child-1",
        payload=ConsentRecorded(
            consent_id=consent_id,
            scope=ConsentScope(
                event_names=("child-concern-raised",),
                purposes=(Purpose.SAFEGUARDING_SCREENING,),
                recipients=("front-door",),
            ),
            given_by=MOTHER,
            method=ConsentMethod.WRITTEN,
            given_at=NOW - timedelta(days=1),
            expires_at=expires,
            recorded_by="user:eh-17",
        ),
        sharing=RECORDS,
    )


def _concern(tenant: str, consent_ref: str, n: int) -> CloudEvent:
    template = next(
        e for e in example_events(tenant) if e.type == "uk.childrenshub.child-concern-raised.v2"
    )
    return CloudEvent.new(
        tenant=tenant,
        producer="early-help",
        subject=f"child-{n}",
        payload=template.payload(),
        sharing=SharingBasis(
            lawful_basis=LawfulBasis.CONSENT,
            purpose=Purpose.SAFEGUARDING_SCREENING,
            consent_ref=consent_ref,
        ),
    )


async def test_consent_is_checked_and_its_withdrawal_reaches_the_holder(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    policy = load_policy()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    fd = mongo[f"{tenant}__front_door"]
    eh = mongo[f"{tenant}__early_help"]
    withdrawals: list[tuple[str, list[str]]] = []

    async def store(batch: Sequence[Delivery], ctx: HandlerContext) -> None:
        await ctx.db["concerns"].insert_many(
            [{"_id": d.event.id} for d in batch], session=ctx.session
        )

    async def forget(consent_id: str, event_ids: list[str], ctx: HandlerContext) -> None:
        withdrawals.append((consent_id, event_ids))
        await ctx.db["concerns"].delete_many({"_id": {"$in": event_ids}}, session=ctx.session)

    consumer = EventConsumer(
        mongo=mongo,
        recipient="front-door",
        tenants=[tenant],
        policy=policy,
        batch_handlers={"child-concern-raised": store},
        database=lambda t: fd,
        on_consent_withdrawn=[forget],
    )
    assert "consent-withdrawn" in consumer.batch_handlers
    await ensure_topics(
        kafka_bootstrap, [*consumer.topics(), *map(dead_letter_topic, consumer.topics())]
    )
    await consumer.prepare(["concerns"])
    await ensure_collections(eh, [])
    kafka = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, **kafka_options()
    )
    await kafka.start()
    relay = OutboxRelay(kafka, [eh, fd], idle_poll_s=0.05)
    await relay.prepare()
    broker = KafkaBroker(
        kafka_bootstrap, logger=None, security=KafkaSecurity.from_env().faststream()
    )
    consumer.subscribe(broker)
    await broker.start()
    relay.start()
    consumer.after_commit.append(relay.wake)
    outbox = Outbox(policy, "early-help")

    async def publish(*events: CloudEvent) -> None:
        async with mongo.start_session() as session, await session.start_transaction():
            assert all(d.allowed for d in await outbox.add(eh, session, list(events)))
        relay.wake()

    async def consent_known(consent_id: str) -> Any:
        async def check() -> bool:
            return await fd["consents"].find_one({"_id": consent_id}) is not None

        return check

    try:
        await publish(
            _consent(tenant, "c-ok"), _consent(tenant, "c-old", expires=NOW - timedelta(hours=1))
        )
        await until(await consent_known("c-ok"), 30, "the consent record at the holder")
        await until(await consent_known("c-old"), 30, "the expired consent record")

        covered = _concern(tenant, "c-ok", 1)
        unknown = _concern(tenant, "c-nobody-gave", 2)
        expired = _concern(tenant, "c-old", 3)
        await publish(covered, unknown, expired)

        async def covered_stored() -> bool:
            return await fd["concerns"].find_one({"_id": covered.id}) is not None

        await until(covered_stored, 30, "the concern shared under consent")
        dead = await read_topic(kafka_bootstrap, dead_letter_topic(covered.topic), expect=2)
        reasons = {headers_of(d)["ce_id"]: headers_of(d)["dlq_reason"] for d in dead}
        assert reasons == {unknown.id: "consent-not-valid", expired.id: "consent-not-valid"}
        assert all(d.value == b"" for d in dead), "the refused data is not kept by the holder"
        assert await fd["concerns"].count_documents({}) == 1

        withdrawal = CloudEvent.new(
            tenant=tenant,
            producer="early-help",
            subject="child-1",
            payload=ConsentWithdrawn(
                consent_id="c-ok",
                withdrawn_by=MOTHER,
                withdrawn_at=datetime.now(UTC),
                recorded_by="user:eh-17",
            ),
            sharing=RECORDS,
        )
        await publish(withdrawal)

        async def acted_on() -> bool:
            return bool(withdrawals)

        await until(acted_on, 30, "the holder acting on the withdrawal")
        assert withdrawals == [("c-ok", [covered.id])]
        assert await fd["concerns"].count_documents({}) == 0, "data held under it is gone"

        after = _concern(tenant, "c-ok", 4)
        await publish(after)
        dead = await read_topic(kafka_bootstrap, dead_letter_topic(after.topic), expect=3)
        # the dead letters come from three partitions: find this one by its id, not its place
        [refused] = [headers_of(d) for d in dead if headers_of(d)["ce_id"] == after.id]
        assert refused["dlq_reason"] == "consent-not-valid"
        assert "withdrawn" in refused["dlq_detail"]
    finally:
        await broker.stop()
        await relay.stop()
        await kafka.stop()
        await mongo.close()
