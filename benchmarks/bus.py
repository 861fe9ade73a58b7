"""Benchmark of the consent-checked bus against raw aiokafka, in one run.

Library path: a publishing service (its own process, as police-feed would be)
writes events to its outbox in MongoDB transactions with the state change and
relays them to Kafka (acks=all, idempotent); the consuming service (this
process, as the front door would be) checks the sharing policy, minimises,
de-duplicates and writes each event to MongoDB in one transaction per batch
before committing offsets, and relays its audit records of every decision.
Baseline: raw aiokafka produce (acks=all, idempotent) and consume of the same
payload bytes, no database.

Prints events/s and p50/p99 end-to-end latency of both, and the throughput
ratio (target: library >= 0.25 x raw). Uses KAFKA_BOOTSTRAP/MONGO_URI when
set, else starts its own Kafka and SecantusDB in a temporary folder.

Authentication: the stack's Kafka authenticates every client (SCRAM-SHA-512
over TLS, ACLs). The same benchmark then runs again, in the same invocation,
against a second broker of the same Kafka with no authentication at all
(PLAINTEXT, no authoriser, started here only for this comparison), and the
authenticated library path's throughput is printed as a ratio of the
unauthenticated one (goal: >= 0.9). ``--no-baseline`` skips the second run.

    uv run python benchmarks/bus.py [--events 20000] [--per-transaction 100]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker
from hub_contracts.binding import to_kafka
from hub_contracts.envelope import CloudEvent, EventPayload, register
from hub_contracts.policy import SharingPolicy
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_localstack import provision
from hub_localstack.config import StackConfig
from hub_localstack.processes import ManagedProcess, free_port
from hub_messaging.consumer import Delivery, EventConsumer, HandlerContext
from hub_messaging.kafka_security import ENV as KAFKA_ENV
from hub_messaging.kafka_security import KafkaSecurity, kafka_options
from hub_messaging.outbox import Outbox, ensure_collections
from hub_messaging.relay import OutboxRelay
from hub_messaging.topics import ensure_topics
from hub_testing.infra import environment, local_stack_config, provide_infrastructure
from pydantic import Field
from pymongo import AsyncMongoClient

TARGET_RATIO = 0.25
AUTH_TARGET_RATIO = 0.9


@register
class BenchConcernRaised(EventPayload):
    """A child concern, shaped like the real contract (benchmark-only type)."""

    event_name: ClassVar[str] = "bench-concern-raised"
    producers: ClassVar[tuple[str, ...]] = ("police-feed",)
    child_ref: str = Field(description="Child reference.")
    summary: str = Field(description="The concern as stated.")
    rag: str = Field(description="RAG rating.")
    officer_notes: str = Field(description="Withheld from the hub.")


POLICY = SharingPolicy.from_yaml(
    """
version: 1
rules:
  - event: bench-concern-raised
    recipient: front-door
    purposes: [safeguarding-screening]
    lawful_bases: [dpa-2018-part-3]
    fields: [child_ref, summary, rag]
"""
)
BASIS = SharingBasis(
    lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
)


def make_event(tenant: str, i: int) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject=f"child-{i % 500}",
        payload=BenchConcernRaised(
            child_ref=f"child-{i % 500}",
            rag="amber",
            summary="Domestic abuse incident at the home address; child present and distressed. "
            * 3,
            officer_notes="Officer's notes that the hub does not need. " * 3,
        ),
        sharing=BASIS,
    )


def percentiles(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[98]


async def produce(bootstrap: str, mongo_uri: str, tenant: str, n: int, per_tx: int) -> None:
    """The publishing service (its own process): state + outbox per transaction, and its relay."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    pdb = mongo[f"{tenant}__police_feed"]
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        **kafka_options(),
    )
    await producer.start()
    relay = OutboxRelay(producer, [pdb], idle_poll_s=0.01)
    await relay.prepare()
    relay.start()
    outbox = Outbox(POLICY, "police-feed")
    print("start", flush=True)
    for first in range(0, n, per_tx):
        events = [make_event(tenant, i) for i in range(first, min(first + per_tx, n))]
        async with mongo.start_session() as session, await session.start_transaction():
            await pdb["incidents"].insert_many([{"_id": e.id} for e in events], session=session)
            await outbox.add(pdb, session, events)
        relay.wake()
    while relay.published < n:  # noqa: ASYNC110 - the relay runs in the background; poll it
        await asyncio.sleep(0.01)
    await relay.stop()
    await producer.stop()
    await mongo.close()


async def bench_library(bootstrap: str, mongo_uri: str, n: int, per_tx: int) -> dict[str, float]:
    tenant = "b" + uuid.uuid4().hex[:10]
    topic = f"{tenant}.police-feed.bench-concern-raised.v1"
    await ensure_topics(bootstrap, [topic, topic + ".dlq"])
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    cdb = mongo[f"{tenant}__front_door"]
    await ensure_collections(mongo[f"{tenant}__police_feed"], ["incidents"])
    done = asyncio.Event()
    pending: list[float] = []
    latencies: list[float] = []

    async def handle(deliveries: Sequence[Delivery], ctx: HandlerContext) -> None:
        await ctx.db["concerns"].insert_many(
            [{"_id": d.event.id, **d.event.data} for d in deliveries], session=ctx.session
        )
        pending.extend(d.event.time.timestamp() for d in deliveries)

    def after_commit() -> None:
        # latency: from the event's creation to the commit of the consumer's transaction
        now = time.time()
        latencies.extend(now - created for created in pending)
        pending.clear()
        if len(latencies) >= n:
            done.set()

    consumer = EventConsumer(
        mongo=mongo,
        recipient="front-door",
        tenants=[tenant],
        policy=POLICY,
        batch_handlers={"bench-concern-raised": handle},
        database=lambda t: cdb,
    )
    await consumer.prepare(["concerns"])
    consumer.after_commit.append(after_commit)
    # the consuming service relays its own outbox too: the audit trail of its decisions
    audit_producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        **kafka_options(),
    )
    await audit_producer.start()
    audit_relay = OutboxRelay(audit_producer, [cdb], idle_poll_s=0.05)
    await audit_relay.prepare()
    audit_relay.start()
    consumer.after_commit.append(audit_relay.wake)
    broker = KafkaBroker(bootstrap, logger=None, security=KafkaSecurity.from_env().faststream())
    consumer.subscribe(broker, max_records=2000)
    await broker.start()
    await asyncio.sleep(2)  # let the consumer group settle before timing
    publisher = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--role",
        "producer",
        "--bootstrap",
        bootstrap,
        "--mongo",
        mongo_uri,
        "--tenant",
        tenant,
        "--events",
        str(n),
        "--per-transaction",
        str(per_tx),
        stdout=asyncio.subprocess.PIPE,
    )
    assert publisher.stdout is not None
    await publisher.stdout.readline()  # "start"
    start = time.perf_counter()
    await asyncio.wait_for(done.wait(), timeout=600)
    elapsed = time.perf_counter() - start
    await publisher.wait()
    await broker.stop()
    await audit_relay.stop()
    await audit_producer.stop()
    stored = await cdb["concerns"].count_documents({})
    await mongo.close()
    p50, p99 = percentiles(latencies)
    return {
        "events": n,
        "stored": stored,
        "seconds": elapsed,
        "rate": n / elapsed,
        "p50_ms": p50 * 1000,
        "p99_ms": p99 * 1000,
    }


async def bench_raw(bootstrap: str, n: int) -> dict[str, float]:
    topic = "bench-raw-" + uuid.uuid4().hex[:10]
    await ensure_topics(bootstrap, [topic])
    _, value, headers = to_kafka(make_event("bench", 0))
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=topic,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **kafka_options(),
    )
    await consumer.start()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        **kafka_options(),
    )
    await producer.start()
    latencies: list[float] = []

    async def consume() -> None:
        while len(latencies) < n:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            now = time.time()
            for records in batch.values():
                for r in records:
                    latencies.append(now - float(r.key.decode()))
            if batch:
                await consumer.commit()

    await asyncio.sleep(2)
    start = time.perf_counter()
    reader = asyncio.create_task(consume())
    futures = []
    for i in range(n):
        futures.append(
            await producer.send(
                topic, value=value, key=str(time.time()).encode(), headers=headers, partition=i % 3
            )
        )
    await asyncio.gather(*futures)
    await asyncio.wait_for(reader, timeout=600)
    elapsed = time.perf_counter() - start
    await producer.stop()
    await consumer.stop()
    p50, p99 = percentiles(latencies)
    return {
        "events": n,
        "stored": 0,
        "seconds": elapsed,
        "rate": n / elapsed,
        "p50_ms": p50 * 1000,
        "p99_ms": p99 * 1000,
    }


async def run(bootstrap: str, mongo_uri: str, n: int, per_tx: int, label: str) -> dict[str, Any]:
    # warm the broker's JVM first, so neither path is timed against a cold Kafka
    await bench_raw(bootstrap, max(1000, n // 10))
    raw = await bench_raw(bootstrap, n)
    lib = await bench_library(bootstrap, mongo_uri, n, per_tx)
    ratio = lib["rate"] / raw["rate"]
    print(
        f"\nbus benchmark ({label}): {n} events of "
        f"{len(to_kafka(make_event('bench', 0))[1])} bytes, "
        f"{per_tx} events per producer transaction"
    )
    print(f"{'path':<44}{'events/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for label, r in (
        ("raw aiokafka produce+consume", raw),
        ("library outbox>relay>policy>idempotent>mongo", lib),
    ):
        print(f"{label:<44}{r['rate']:>10.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}")
    print(
        f"throughput ratio library/raw: {ratio:.2f} (target >= {TARGET_RATIO})"
        f" -> {'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )
    if lib["stored"] != n:
        print(f"ERROR: {lib['stored']} of {n} events stored")
    return {"raw": raw, "library": lib, "ok": lib["stored"] == n and ratio >= TARGET_RATIO}


def unauthenticated_kafka(folder: Path, config: StackConfig) -> tuple[ManagedProcess, str]:
    """A broker of the same Kafka build with no authentication and no authoriser, and its
    bootstrap address. For this benchmark's baseline only: the hub never runs one."""
    port, controller = free_port(), free_port()
    data = folder / "data"
    data.mkdir(parents=True)
    props = folder / "server.properties"
    props.write_text(
        "process.roles=broker,controller\nnode.id=1\n"
        f"controller.quorum.voters=1@127.0.0.1:{controller}\n"
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}\n"
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}\n"
        "controller.listener.names=CONTROLLER\n"
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
        "inter.broker.listener.name=PLAINTEXT\n"
        "offsets.topic.replication.factor=1\ntransaction.state.log.replication.factor=1\n"
        "transaction.state.log.min.isr=1\ngroup.initial.rebalance.delay.ms=0\n"
        f"num.partitions=3\nlog.dirs={data}\n"
    )
    java = provision.java_command()
    classpath = f"{provision.kafka_classpath(config)}/*"
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    subprocess.run(
        [
            *(java, "-cp", classpath, "kafka.tools.StorageTool", "format"),
            *(f"--cluster-id={cluster_id}", f"--config={props}"),
        ],
        check=True,
        capture_output=True,
    )
    process = ManagedProcess(
        "kafka-plaintext",
        [java, "-Xms256m", "-Xmx768m", "-cp", classpath, "kafka.Kafka", str(props)],
        folder,
        folder,
        [port, controller],
        lambda: _answers(port),
    )
    return process, f"127.0.0.1:{port}"


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--per-transaction", type=int, default=100)
    parser.add_argument("--role", choices=["benchmark", "producer"], default="benchmark")
    parser.add_argument("--bootstrap")
    parser.add_argument("--mongo")
    parser.add_argument("--tenant")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the unauthenticated comparison run"
    )
    args = parser.parse_args()
    if args.role == "producer":
        asyncio.run(
            produce(args.bootstrap, args.mongo, args.tenant, args.events, args.per_transaction)
        )
        return 0
    n, per_tx = args.events, args.per_transaction
    with tempfile.TemporaryDirectory() as state, provide_infrastructure(Path(state)) as infra:
        print(f"infrastructure: {infra.origin}", file=sys.stderr)
        with environment(infra.session_env()):  # every client authenticates (hub-admin)
            secured = asyncio.run(
                run(infra.kafka_bootstrap, infra.mongo_uri, n, per_tx, "SCRAM over TLS, ACLs")
            )
        if args.no_baseline or infra.stack is None:
            return 0 if secured["ok"] else 1
        folder = Path(state) / "kafka-plaintext"
        folder.mkdir()
        plain, bootstrap = unauthenticated_kafka(folder, local_stack_config(Path(state) / "p"))
        plain.start()
        try:
            plain.wait_ready(120)
            with environment({var: "" for var in KAFKA_ENV.values()}):
                baseline = asyncio.run(
                    run(bootstrap, infra.mongo_uri, n, per_tx, "no authentication")
                )
        finally:
            plain.stop()
    ratio = secured["library"]["rate"] / baseline["library"]["rate"]
    raw_ratio = secured["raw"]["rate"] / baseline["raw"]["rate"]
    print(
        f"\nauthenticated / unauthenticated throughput: library {ratio:.2f}, raw {raw_ratio:.2f} "
        f"(goal >= {AUTH_TARGET_RATIO}) -> {'PASS' if ratio >= AUTH_TARGET_RATIO else 'BELOW GOAL'}"
    )
    return 0 if secured["ok"] and baseline["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
