"""A test-only contract and policy, and helpers to run the bus against real Kafka/Mongo."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from hub_contracts.envelope import CloudEvent, EventPayload, register
from hub_contracts.policy import SharingPolicy
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_contracts.topics import dead_letter_topic
from hub_messaging.consumer import Delivery, EventConsumer, Handler, HandlerContext
from hub_messaging.kafka_security import KafkaSecurity, kafka_options
from hub_messaging.outbox import Outbox, ensure_collections
from hub_messaging.relay import OutboxRelay
from hub_messaging.topics import ensure_topics
from prometheus_client import CollectorRegistry
from pydantic import Field
from pymongo import AsyncMongoClient


@register
class BusTestNoteRecorded(EventPayload):
    """A note about a child (test contract)."""

    event_name: ClassVar[str] = "bus-test-note-recorded"
    producers: ClassVar[tuple[str, ...]] = ("police-feed",)
    child_ref: str = Field(description="Child reference.")
    note: str = Field(description="What was noted.")
    secret: str = Field(description="Withheld from the hub.")
    detail: dict[str, str] = Field(default_factory=dict, description="Nested, partly withheld.")


POLICY = SharingPolicy.from_yaml(
    """
version: 1
rules:
  - event: bus-test-note-recorded
    recipient: front-door
    purposes: [safeguarding-screening]
    lawful_bases: [uk-gdpr-6-1-e, dpa-2018-part-3]
    fields: [child_ref, note, detail.public]
"""
)

SCREENING = SharingBasis(
    lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
)
WRONG_BASIS = SharingBasis(lawful_basis=LawfulBasis.VITAL_INTERESTS, purpose=Purpose.REFERRAL)


def note(
    tenant: str,
    child: str,
    text: str,
    *,
    secret: str = "s",  # noqa: S107 - test data, not a password
    basis: SharingBasis = SCREENING,
) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject=child,
        payload=BusTestNoteRecorded(
            child_ref=child, note=text, secret=secret, detail={"public": "p", "private": secret}
        ),
        sharing=basis,
    )


def topic_of(tenant: str) -> str:
    return f"{tenant}.police-feed.bus-test-note-recorded.v1"


def headers_of(record: Any) -> dict[str, str]:
    return {k: (v or b"").decode() for k, v in record.headers}


# -- a running bus: producer side (police-feed) and consumer side (front-door) -----------


def producer_db(mongo: AsyncMongoClient[Any], tenant: str) -> Any:
    return mongo[f"{tenant}__police_feed"]


def consumer_db(mongo: AsyncMongoClient[Any], tenant: str) -> Any:
    return mongo[f"{tenant}__front_door"]


async def record_note(delivery: Delivery, ctx: HandlerContext) -> None:
    """The test handler: a non-idempotent write, so a duplicate would show as count 2."""
    data = delivery.event.data
    if data.get("note") == "poison":
        raise ValueError("this handler cannot cope with poison")
    await ctx.db["notes"].update_one(
        {"_id": data["child_ref"]},
        {"$inc": {"count": 1}, "$set": {"data": data, "withheld": list(delivery.withheld)}},
        upsert=True,
        session=ctx.session,
    )


async def publish(mongo: AsyncMongoClient[Any], tenant: str, events: list[CloudEvent]) -> list[Any]:
    """The producer's state change and its events, in one transaction."""
    db = producer_db(mongo, tenant)
    outbox = Outbox(POLICY, "police-feed")
    async with mongo.start_session() as session, await session.start_transaction():
        await db["incidents"].insert_many([{"event": e.id} for e in events], session=session)
        return await outbox.add(db, session, events)


@dataclass
class Bus:
    mongo: AsyncMongoClient[Any]
    bootstrap: str
    tenant: str
    consumer: EventConsumer
    relay: OutboxRelay
    extra: list[Any] = field(default_factory=list)

    async def notes(self) -> dict[str, Any]:
        docs = await consumer_db(self.mongo, self.tenant)["notes"].find().to_list()
        return {d["_id"]: d for d in docs}


async def prepare_tenant(mongo: AsyncMongoClient[Any], bootstrap: str, tenant: str) -> None:
    await ensure_topics(bootstrap, [topic_of(tenant), dead_letter_topic(topic_of(tenant))])
    await ensure_collections(producer_db(mongo, tenant), ["incidents"])


@contextlib.asynccontextmanager
async def running_bus(
    mongo_uri: str,
    bootstrap: str,
    tenant: str,
    *,
    consume: bool = True,
    handler: Handler = record_note,
    collections: tuple[str, ...] = (),
    registry: CollectorRegistry | None = None,
) -> AsyncIterator[Bus]:
    """Relays for both sides and (optionally) the front-door consumer, all on real infra."""
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri)
    await prepare_tenant(mongo, bootstrap, tenant)
    consumer = EventConsumer(
        mongo=mongo,
        recipient="front-door",
        tenants=[tenant],
        policy=POLICY,
        handlers={"bus-test-note-recorded": handler},
        database=lambda t: consumer_db(mongo, t),
        backoff_s=0.05,
        registry=registry,
    )
    await consumer.prepare(["notes", *collections])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **kafka_options()
    )
    await producer.start()
    relay = OutboxRelay(
        producer,
        [producer_db(mongo, tenant), consumer_db(mongo, tenant)],
        idle_poll_s=0.05,
        registry=registry,
    )
    await relay.prepare()
    relay.start()
    consumer.after_commit.append(relay.wake)
    broker = KafkaBroker(bootstrap, logger=None, security=KafkaSecurity.from_env().faststream())
    if consume:
        consumer.subscribe(broker)
        await broker.start()
    try:
        yield Bus(mongo, bootstrap, tenant, consumer, relay)
    finally:
        await broker.stop()
        await relay.stop()
        await producer.stop()
        await mongo.close()
