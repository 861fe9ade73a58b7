"""The committed contracts and sharing policy on the real bus: upcasting for a v2 consumer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from hub_contracts.examples import example_events
from hub_contracts.policy import load_policy
from hub_messaging.consumer import Delivery, EventConsumer, HandlerContext
from hub_messaging.kafka_security import KafkaSecurity, kafka_options
from hub_messaging.outbox import Outbox, ensure_collections
from hub_messaging.relay import OutboxRelay
from hub_messaging.topics import ensure_topics
from hub_testing.bus import until
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration


async def test_a_v1_concern_is_upcast_for_a_consumer_written_for_v2(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    v1 = next(
        e for e in example_events(tenant) if e.type == "uk.childrenshub.child-concern-raised.v1"
    )
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    received: list[Delivery] = []

    async def on_concern(deliveries: Sequence[Delivery], ctx: HandlerContext) -> None:
        received.extend(deliveries)

    consumer = EventConsumer(
        mongo=mongo,
        recipient="front-door",
        tenants=[tenant],
        policy=load_policy(),
        batch_handlers={"child-concern-raised": on_concern},
        database=lambda t: mongo[f"{t}__front_door"],
    )
    assert consumer.majors["child-concern-raised"] == 2
    assert v1.topic in consumer.topics(), "a v2 consumer still listens to v1 topics"
    await ensure_topics(kafka_bootstrap, consumer.topics())
    await consumer.prepare()
    producer_db = mongo[f"{tenant}__{v1.producer.replace('-', '_')}"]
    await ensure_collections(producer_db, [])
    kafka = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, **kafka_options()
    )
    await kafka.start()
    relay = OutboxRelay(kafka, [producer_db], idle_poll_s=0.05)
    await relay.prepare()
    broker = KafkaBroker(
        kafka_bootstrap, logger=None, security=KafkaSecurity.from_env().faststream()
    )
    consumer.subscribe(broker)
    await broker.start()
    relay.start()
    try:
        async with mongo.start_session() as session, await session.start_transaction():
            decisions = await Outbox(load_policy(), v1.producer).add(producer_db, session, [v1])
        assert decisions[0].allowed
        relay.wake()

        async def arrived() -> bool:
            return bool(received)

        await until(arrived, 30, "the upcast concern")
    finally:
        await broker.stop()
        await relay.stop()
        await kafka.stop()
        await mongo.close()
    delivery = received[0]
    assert delivery.event.type == "uk.childrenshub.child-concern-raised.v2"
    assert delivery.event.id == v1.id, "same event: de-duplication still works"
    assert delivery.event.sharing == v1.sharing
    reference = delivery.event.data["agency_reference"]
    assert isinstance(reference, dict)
    assert reference["reference"] == v1.data["agency_reference"]
