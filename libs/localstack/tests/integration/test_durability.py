"""The local stack keeps what it accepted across crashes and restarts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaProducer
from hub_localstack.stack import Stack
from hub_messaging.kafka_security import KafkaSecurity
from hub_testing.bus import read_topic
from pymongo import AsyncMongoClient, WriteConcern

pytestmark = pytest.mark.integration


async def _produce(bootstrap: str, security: KafkaSecurity, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **security.aiokafka()
    )
    await producer.start()
    try:
        for i in range(count):
            await producer.send_and_wait(topic, f"message-{i}".encode(), key=b"child-1")
    finally:
        await producer.stop()


async def test_kafka_keeps_every_message_after_sigkill_and_restart(
    own_stack: Callable[..., Stack],
) -> None:
    stack = own_stack()
    stack.up_infrastructure(("kafka",))
    bootstrap, admin = stack.config.kafka_bootstrap, stack.kafka_admin()
    await _produce(bootstrap, admin, "durability.test", 200)

    killed_pid = stack.handle("kafka").pid()
    stack.handle("kafka").kill()
    assert stack.handle("kafka").pid() is None
    stack.up_infrastructure(("kafka",))
    assert stack.handle("kafka").pid() != killed_pid

    records = await read_topic(bootstrap, "durability.test", expect=200, security=admin)
    assert [r.value.decode() for r in records] == [f"message-{i}" for i in range(200)]


@pytest.mark.parametrize("how", ["restart", "sigkill"])
async def test_mongo_write_survives_server_restart(
    own_stack: Callable[..., Stack], how: str
) -> None:
    stack = own_stack()
    stack.up_infrastructure(("mongo",))
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.config.mongo_uri)
    collection = client["durability"].get_collection(
        "contacts", write_concern=WriteConcern(w=1, j=True)
    )
    await collection.insert_many([{"_id": i, "seq": i} for i in range(100)])
    await client.close()

    if how == "sigkill":
        stack.handle("mongo").kill()
    else:
        stack.handle("mongo").stop()
    stack.up_infrastructure(("mongo",))

    client = AsyncMongoClient(stack.config.mongo_uri)
    try:
        docs = await client["durability"]["contacts"].find().sort("_id", 1).to_list()
        assert [d["seq"] for d in docs] == list(range(100))
    finally:
        await client.close()
