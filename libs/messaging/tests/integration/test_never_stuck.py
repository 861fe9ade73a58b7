"""Never stuck, never silent: one bad event among many, on the real broker and database."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from bus_fixtures import (
    consumer_db,
    headers_of,
    note,
    publish,
    record_note,
    running_bus,
    topic_of,
)
from hub_contracts.topics import dead_letter_topic
from hub_messaging.consumer import Delivery, HandlerContext
from hub_messaging.outbox import OUTBOX, record_row
from hub_messaging.relay import MAX_ROW_ATTEMPTS
from hub_ops.dead_letters import Position
from hub_ops.dlq import replay_dead_letters
from hub_ops.replay import ReplayStatus
from hub_service.progress import ProgressMonitor
from hub_testing.bus import produce_raw, read_topic, until
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.integration
CLAIMS = "claims"
GOOD = 500


async def claim_then_note(delivery: Delivery, ctx: HandlerContext) -> None:
    """A handler whose write the server can refuse: a claim already held aborts the
    transaction (DuplicateKeyError), as a transaction too large for the cache would."""
    await ctx.db[CLAIMS].insert_one({"_id": delivery.event.subject}, session=ctx.session)
    await record_note(delivery, ctx)


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_a_batch_whose_transaction_fails_is_split_and_only_the_bad_event_dead_lettered(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    registry = CollectorRegistry()
    async with running_bus(
        mongo_uri,
        kafka_bootstrap,
        unique_name,
        handler=claim_then_note,
        collections=(CLAIMS,),
        registry=registry,
    ) as bus:
        db = consumer_db(bus.mongo, bus.tenant)
        await db[CLAIMS].insert_one({"_id": "bad"})  # the cause, removed before the replay
        events = [note(bus.tenant, f"c{i}", "fine") for i in range(GOOD)]
        events.insert(GOOD // 2, note(bus.tenant, "bad", "fine"))
        await publish(bus.mongo, bus.tenant, events)
        bus.relay.wake()

        async def all_good_applied() -> bool:
            return await db["notes"].count_documents({}) == GOOD

        started = asyncio.get_running_loop().time()
        await until(all_good_applied, timeout_s=60, what="every good child's event")
        took = asyncio.get_running_loop().time() - started
        print(f"\n{GOOD} good events applied around a failing one in {took:.1f} s")
        notes = await bus.notes()
        assert "bad" not in notes
        assert all(n["count"] == 1 for n in notes.values())

        dlq = dead_letter_topic(topic_of(bus.tenant))
        dead = await read_topic(kafka_bootstrap, dlq, expect=1)
        assert len(dead) == 1
        headers = headers_of(dead[0])
        assert headers["dlq_reason"] == "handler-failed"
        assert headers["dlq_detail"].startswith("DuplicateKeyError: code 11000")
        assert "bad" not in headers["dlq_detail"]  # the server's message quotes the key
        assert headers["ce_subject"] == "bad"

        # operations see it: the dead letter counted, and no lag left behind it
        async def counted() -> bool:
            return (
                sample(registry, "hub_dead_letters_total", topic=dlq, reason="handler-failed") == 1
            )

        await until(counted, what="the dead letter in hub_dead_letters_total")
        monitor = ProgressMonitor(
            bootstrap=kafka_bootstrap,
            client_id="test",
            groups={"front-door": [topic_of(bus.tenant)]},
            databases={bus.tenant: db},
            registry=registry,
        )
        try:

            async def caught_up() -> bool:
                await monitor.check()
                return monitor.status()["consumer_lag"] == 0

            await until(caught_up, what="no consumer lag")
            assert monitor.status()["status"] == "ok"
            partitions = {p.partition for p in monitor.partitions}
            assert partitions == {0, 1, 2}
            for p in partitions:
                labels = {"group": "front-door", "topic": topic_of(bus.tenant), "partition": str(p)}
                assert registry.get_sample_value("hub_consumer_lag", labels) == 0
        finally:
            await monitor.close()

        # the cause removed, an operator replays the dead letter: applied once, even if twice
        await db[CLAIMS].delete_one({"_id": "bad"})
        at = Position(dead[0].partition, dead[0].offset)
        [first] = await replay_dead_letters(kafka_bootstrap, mongo_uri, dlq, at, by="A Operator")
        assert first.status is ReplayStatus.REPLAYED

        async def replayed() -> Any:
            return (await bus.notes()).get("bad")

        assert (await until(replayed, what="the replayed event"))["count"] == 1
        [second] = await replay_dead_letters(kafka_bootstrap, mongo_uri, dlq, at, by="A Operator")
        assert second.status is ReplayStatus.ALREADY_REPLAYED
        audit = await db["operations_audit"].find({"action": "dlq-replay"}).to_list()
        assert [a["by"] for a in audit] == ["A Operator"]
        # the replayed record itself redelivered (a crash after publishing): still once
        source = await read_topic(kafka_bootstrap, topic_of(bus.tenant), expect=GOOD + 2)
        [again] = [r for r in source if dict(r.headers).get("hub_replay_of")]
        await produce_raw(
            kafka_bootstrap, topic_of(bus.tenant), again.value, list(again.headers), again.key
        )
        await asyncio.sleep(1.5)
        assert (await bus.notes())["bad"]["count"] == 1
        assert await db["notes"].count_documents({}) == GOOD + 1


async def test_a_stuck_consumer_is_reported_stalled_and_the_service_degraded(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    release = asyncio.Event()

    async def hangs_on_first(delivery: Delivery, ctx: HandlerContext) -> None:
        await release.wait()  # a handler waiting on something that does not answer
        await record_note(delivery, ctx)

    registry = CollectorRegistry()
    async with running_bus(
        mongo_uri, kafka_bootstrap, unique_name, handler=hangs_on_first, registry=registry
    ) as bus:
        monitor = ProgressMonitor(
            bootstrap=kafka_bootstrap,
            client_id="test",
            groups={"front-door": [topic_of(bus.tenant)]},
            databases={bus.tenant: consumer_db(bus.mongo, bus.tenant)},
            registry=registry,
            stall_after_s=1.0,
        )
        try:
            await publish(bus.mongo, bus.tenant, [note(bus.tenant, "c1", "fine")])
            bus.relay.wake()

            async def stalled() -> bool:
                await monitor.check()
                return monitor.degraded

            await until(stalled, what="the stalled partition to be reported")
            status = monitor.status()
            assert status["status"] == "degraded"
            [stuck] = status["stalled_partitions"]
            assert stuck["topic"] == topic_of(bus.tenant)
            assert stuck["lag"] == 1
            assert stuck["seconds_since_progress"] >= 1.0
            labels = {"group": "front-door", "topic": stuck["topic"]}
            labels["partition"] = str(stuck["partition"])
            assert registry.get_sample_value("hub_consumer_partition_stalled", labels) == 1
            assert registry.get_sample_value("hub_service_degraded", {}) == 1

            release.set()

            async def flowing() -> bool:
                await monitor.check()
                return not monitor.degraded

            await until(flowing, what="the partition to flow again")
            assert registry.get_sample_value("hub_consumer_partition_stalled", labels) == 0
            assert registry.get_sample_value("hub_service_degraded", {}) == 0
        finally:
            release.set()
            await monitor.close()


async def test_an_unsent_outbox_row_shows_its_age(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    registry = CollectorRegistry()
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name, consume=False) as bus:
        await bus.relay.stop()  # the relay is away: rows wait in the outbox
        await publish(bus.mongo, bus.tenant, [note(bus.tenant, "c1", "fine")])
        monitor = ProgressMonitor(
            bootstrap=kafka_bootstrap,
            client_id="test",
            groups={},
            databases={bus.tenant: bus.mongo[f"{bus.tenant}__police_feed"]},
            registry=registry,
        )
        await asyncio.sleep(1.1)
        await monitor.check()
        [backlog] = monitor.outbox
        assert backlog.unsent >= 1
        assert backlog.oldest_age_s >= 1.0
        assert sample(registry, "hub_outbox_oldest_unsent_age_seconds", tenant=bus.tenant) >= 1.0


async def test_a_row_kafka_refuses_for_good_is_parked_and_the_rows_behind_it_go_on(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    registry = CollectorRegistry()
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name, registry=registry) as bus:
        db = bus.mongo[f"{bus.tenant}__police_feed"]
        too_large = record_row(
            "too-large", topic_of(bus.tenant), b"c0", b"x" * 2_000_000, []
        )  # over the producer's max request size: Kafka will never take it
        await db[OUTBOX].insert_one(too_large)
        await publish(bus.mongo, bus.tenant, [note(bus.tenant, f"c{i}", "fine") for i in (1, 2)])
        bus.relay.wake()

        async def others_arrived() -> bool:
            return set(await bus.notes()) == {"c1", "c2"}

        await until(others_arrived, what="the rows behind the refused one")

        async def parked() -> Any:
            return await db[OUTBOX].find_one({"_id": "too-large", "parked": True})

        row = await until(parked, what="the refused row parked")
        assert row["sent"] is False  # kept, for a person to look at
        assert row["attempts"] == MAX_ROW_ATTEMPTS
        assert row["last_error"] == "MessageSizeTooLargeError"
        assert (
            sample(
                registry,
                "hub_outbox_parked_total",
                database=db.name,
                error="MessageSizeTooLargeError",
            )
            == 1
        )
        monitor = ProgressMonitor(
            bootstrap=kafka_bootstrap,
            client_id="test",
            groups={},
            databases={bus.tenant: db},
            registry=registry,
        )
        await monitor.check()
        [backlog] = monitor.outbox
        assert (backlog.unsent, backlog.parked) == (0, 1)
        assert sample(registry, "hub_outbox_parked_rows", tenant=bus.tenant) == 1
