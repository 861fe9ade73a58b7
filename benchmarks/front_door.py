"""Benchmark of the front door, against a bare FastAPI read, in one run.

1. Intake: child-concern-raised events (as the police feed publishes them) are
   produced to Kafka as fast as the broker takes them; the running front door
   (its own process, as `make up` runs it) turns each into a contact (person
   link, contact, contact-received in the outbox, audit) and we time until
   every contact is stored. Target: at least 600 events/s sustained.
2. Joined-up view: 50 concurrent readers fetch children's views over HTTP
   from the front door (staff token, audited reads), then the same readers
   fetch one document by id from a bare FastAPI app doing one ``find_one``
   on the same database server. Target: view p99 at most 3x the bare p99.

Prints both, and the ratios. Uses KAFKA_BOOTSTRAP/MONGO_URI when set, else
starts its own Kafka and SecantusDB in a temporary folder.

    uv run python benchmarks/front_door.py [--events 6000] [--readers 50] [--reads 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from hub_contracts.binding import to_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import AgencyReference, ChildAsStated, ChildConcernRaisedV2
from hub_contracts.identifiers import nhs_check_digit
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.kafka_security import kafka_options
from hub_messaging.topics import ensure_topics
from hub_service.staff import Role, issue_token
from hub_testing.infra import environment, provide_infrastructure
from hub_testing.processes import free_port, start_ready
from pymongo import AsyncMongoClient

TARGET_EVENTS_PER_S = 600.0
TARGET_P99_RATIO = 3.0
REPO = Path(__file__).resolve().parents[1]
BASIS = SharingBasis(
    lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
)
GIVEN = ("Amelia", "Oliver", "Isla", "Jack", "Leo", "Mia", "Noah", "Ava", "Harry", "Grace")
FAMILY = ("Hart", "Brown", "Reed", "Wilson", "Carter", "Ellis", "Shaw", "Patel", "Khan", "Lee")


def _nhs(i: int) -> str:
    n = 10_000_000 + i
    while True:
        first = f"9{n:08d}"
        check = nhs_check_digit(first)
        if check is not None:
            return f"{first}{check}"
        n += 1_000_000  # another child's range; the benchmark only needs valid, distinct numbers


def concern(tenant: str, i: int, children: int) -> CloudEvent:
    """The i-th concern, about one of ``children`` children (so persons repeat)."""
    c = i % children
    person = f"CLV-P-{c:06d}"
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject=person,
        payload=ChildConcernRaisedV2(
            agency_reference=AgencyReference(agency=Agency.POLICE, reference=f"INC-{i:07d}"),
            referral_source=ReferralSource.POLICE,
            rag_rating=RagRating.AMBER,
            concern_summary="Child present at a domestic abuse incident at the home address.",
            child=ChildAsStated(
                agency_person_id=person,
                given_name=GIVEN[c % len(GIVEN)],
                family_name=FAMILY[(c // len(GIVEN)) % len(FAMILY)],
                date_of_birth=date(2010, 1, 1) + timedelta(days=c % 3000),
                nhs_number=_nhs(c),
            ),
            occurred_at=datetime.now(UTC),
        ),
        sharing=BASIS,
    )


def _percentiles(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49] * 1000, q[98] * 1000


async def intake(bootstrap: str, mongo_uri: str, tenant: str, n: int) -> dict[str, float]:
    events = [concern(tenant, i, children=max(1, n // 3)) for i in range(n)]
    topic = events[0].topic
    encoded = [to_kafka(e) for e in events]
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    contacts = mongo[f"{tenant}__front_door"]["contacts"]
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        **kafka_options(),
    )
    await producer.start()
    start = time.perf_counter()
    sends = [await producer.send(topic, value=v, key=k, headers=h) for k, v, h in encoded]
    await asyncio.gather(*sends)
    produced = time.perf_counter() - start
    while (stored := await contacts.count_documents({})) < n:
        await asyncio.sleep(0.05)
        if time.perf_counter() - start > 600:
            break
    elapsed = time.perf_counter() - start
    await producer.stop()
    await mongo.close()
    return {"events": n, "stored": stored, "seconds": elapsed, "produce_s": produced}


async def readers(
    fetch: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    concurrency: int,
    total: int,
) -> dict[str, float]:
    """``total`` reads by ``concurrency`` readers, after a warm-up of one read per reader."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(concurrency))

    async def reader(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            t0 = time.perf_counter()
            response = await fetch(client, i)
            latencies.append(time.perf_counter() - t0)
            if response.status_code != 200:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        await asyncio.gather(*(reader(client) for _ in range(concurrency)))
        start = time.perf_counter()
        counter = iter(range(total))
        latencies.clear()
        await asyncio.gather(*(reader(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    p50, p99 = _percentiles(latencies)
    return {"p50_ms": p50, "p99_ms": p99, "rate": total / elapsed, "errors": errors}


async def run(bootstrap: str, mongo_uri: str, n: int, concurrency: int, reads: int) -> int:
    tenant = "b" + uuid.uuid4().hex[:10]
    await ensure_topics(bootstrap, [f"{tenant}.police-feed.child-concern-raised.v2"])
    fd_port, bare_port = free_port(), free_port()
    env = {
        "KAFKA_BOOTSTRAP": bootstrap,
        "MONGO_URI": mongo_uri,
        "HUB_TENANTS": tenant,
        "FRONT_DOOR_PORT": str(fd_port),
        "HUB_LOG_LEVEL": "WARNING",
    }
    front_door = start_ready([sys.executable, "-m", "front_door"], env, fd_port, cwd=REPO)
    bare = start_ready(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bare_read:app",
            "--app-dir",
            "benchmarks",
            "--port",
            str(bare_port),
            "--log-level",
            "warning",
        ],
        {"BENCH_MONGO_URI": mongo_uri, "BENCH_DATABASE": f"{tenant}__front_door"},
        bare_port,
        cwd=REPO,
    )
    try:
        took = await intake(bootstrap, mongo_uri, tenant, n)
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
        persons = [
            d["_id"] async for d in mongo[f"{tenant}__front_door"]["persons"].find({}, {"_id": 1})
        ]
        await mongo.close()
        token = issue_token("bench-reader", {Role.PRACTITIONER}, {tenant})
        headers = {"Authorization": f"Bearer {token}", "X-Hub-Purpose": "benchmark"}
        view_url = f"http://127.0.0.1:{fd_port}/v1/{tenant}/persons/{{}}/view"
        bare_url = f"http://127.0.0.1:{bare_port}/persons/{{}}"

        async def view(client: httpx.AsyncClient, i: int) -> httpx.Response:
            return await client.get(view_url.format(persons[i % len(persons)]), headers=headers)

        async def read(client: httpx.AsyncClient, i: int) -> httpx.Response:
            return await client.get(bare_url.format(persons[i % len(persons)]))

        viewed = await readers(view, concurrency, reads)
        baseline = await readers(read, concurrency, reads)
    finally:
        for proc in (front_door, bare):
            proc.terminate()
            proc.wait(timeout=30)
    rate = took["events"] / took["seconds"]
    ratio = viewed["p99_ms"] / baseline["p99_ms"]
    print(f"\nfront door benchmark: {n} concerns about {len(persons)} children, tenant {tenant}")
    print(
        f"intake: {took['stored']:.0f}/{n} contacts in {took['seconds']:.1f} s "
        f"= {rate:.0f} events/s (target >= {TARGET_EVENTS_PER_S:.0f}) "
        f"-> {'PASS' if rate >= TARGET_EVENTS_PER_S else 'FAIL'}"
    )
    print(
        f"{'read, ' + str(concurrency) + ' concurrent readers':<40}{'req/s':>8}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'errors':>8}"
    )
    for label, r in (
        ("joined-up view (front door)", viewed),
        ("bare FastAPI + find_one", baseline),
    ):
        print(
            f"{label:<40}{r['rate']:>8.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['errors']:>8.0f}"
        )
    print(
        f"view/bare p50 ratio {viewed['p50_ms'] / baseline['p50_ms']:.2f}, "
        f"p99 ratio {ratio:.2f} (target <= {TARGET_P99_RATIO}) "
        f"-> {'PASS' if ratio <= TARGET_P99_RATIO else 'FAIL'}"
    )
    ok = (
        rate >= TARGET_EVENTS_PER_S
        and ratio <= TARGET_P99_RATIO
        and took["stored"] == n
        and viewed["errors"] == 0
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--reads", type=int, default=4000)
    args = parser.parse_args()
    if os.environ.get("KAFKA_BOOTSTRAP") and os.environ.get("MONGO_URI"):
        return asyncio.run(
            run(
                os.environ["KAFKA_BOOTSTRAP"],
                os.environ["MONGO_URI"],
                args.events,
                args.readers,
                args.reads,
            )
        )
    with (
        tempfile.TemporaryDirectory() as state,
        provide_infrastructure(Path(state)) as infra,
        environment(infra.session_env()),  # every client authenticates as hub-admin
    ):
        print(f"infrastructure: {infra.origin}", file=sys.stderr)
        return asyncio.run(
            run(infra.kafka_bootstrap, infra.mongo_uri, args.events, args.readers, args.reads)
        )


if __name__ == "__main__":
    sys.exit(main())
