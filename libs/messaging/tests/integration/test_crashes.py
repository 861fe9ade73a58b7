"""Nothing accepted is lost, and nothing is seen twice, when a process is SIGKILLed."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from bus_fixtures import note, prepare_tenant, publish, running_bus, topic_of
from hub_messaging.kafka_security import kafka_options
from hub_testing.bus import until
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration
WORKER = Path(__file__).with_name("bus_worker.py")


def _worker(
    mode: str, mongo_uri: str, bootstrap: str, tenant: str, n: int = 0
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), mode, mongo_uri, bootstrap, tenant, str(n)],
        cwd=WORKER.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


async def _exit_code(proc: subprocess.Popen[str], timeout_s: float = 60) -> int:
    async def exited() -> bool:
        return proc.poll() is not None

    try:
        await until(exited, timeout_s, "the worker to exit")
    except AssertionError:
        proc.kill()
        raise
    return proc.returncode


async def _committed(bootstrap: str, group: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_options())
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return sum(
            o.offset
            for tp, o in offsets.items()
            if isinstance(tp, TopicPartition) and tp.topic == topic
        )
    finally:
        await admin.close()


async def test_consumer_killed_after_its_write_before_its_commit_is_redelivered_without_duplicate(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    notes = mongo[f"{tenant}__front_door"]["notes"]
    try:
        async with running_bus(mongo_uri, kafka_bootstrap, tenant, consume=False) as bus:
            await publish(bus.mongo, tenant, [note(tenant, "c1", "first")])
            bus.relay.wake()
            crasher = _worker("consume-then-crash", mongo_uri, kafka_bootstrap, tenant)
            assert await _exit_code(crasher) == -signal.SIGKILL

            first = await notes.find_one({"_id": "c1"})
            assert first is not None
            assert first["count"] == 1, "the write committed before the crash"
            assert await _committed(kafka_bootstrap, "front-door", topic_of(tenant)) == 0

            survivor = _worker("consume", mongo_uri, kafka_bootstrap, tenant)
            try:
                await publish(bus.mongo, tenant, [note(tenant, "c2", "after restart")])
                bus.relay.wake()

                async def second_arrived() -> bool:
                    return await notes.find_one({"_id": "c2"}) is not None

                await until(second_arrived, 60, "the event published after the restart")

                async def offsets_committed() -> bool:
                    return await _committed(kafka_bootstrap, "front-door", topic_of(tenant)) == 2

                await until(offsets_committed, 30, "offsets committed past both events")
                first = await notes.find_one({"_id": "c1"})
                assert first is not None
                assert first["count"] == 1, "redelivery must not apply twice"
            finally:
                survivor.send_signal(signal.SIGTERM)
                survivor.wait(30)
    finally:
        await mongo.close()


async def test_publisher_killed_after_its_transaction_before_the_relay_loses_nothing(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    crasher = _worker("publish-then-crash", mongo_uri, kafka_bootstrap, tenant, 20)
    assert await _exit_code(crasher) == -signal.SIGKILL
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    try:
        outbox = mongo[f"{tenant}__police_feed"]["outbox"]
        assert await outbox.count_documents({"sent": False}) == 20, "events waited in the outbox"
        await prepare_tenant(mongo, kafka_bootstrap, tenant)
    finally:
        await mongo.close()

    async with running_bus(mongo_uri, kafka_bootstrap, tenant) as bus:  # a new relay starts

        async def all_arrived() -> bool:
            return len(await bus.notes()) == 20

        await until(all_arrived, 60, "all 20 events after the publisher's crash")
        assert all(doc["count"] == 1 for doc in (await bus.notes()).values())
