"""A burst of alike children through the front door's real intake: bounded candidates.

An agency system sends concerns about 1,000 children who share given name,
date of birth and sex, with surnames a few letters apart (the burst that once
made about 44,000 candidate matches in one batch, a transaction too large for
the storage engine, and stalled intake). They are produced to Kafka as the
police feed publishes them; the running front door (its own process, as
`make up` runs it) links each child, suggests candidate matches and stores a
contact. We time until every contact is stored, then count:

- the contacts (all 1,000 must be there);
- the candidates made, and the most any new person has (at most K);
- the largest number of candidate writes in one transaction (from the front
  door's own log line ``candidate matches suggested``: counts only).

As a baseline, in the same run, the old unbounded behaviour is measured as the
candidates that *would have been made*: every child scored, as before, against
up to 500 earlier children of its block, every pair over the threshold kept
(no K, no cap); and the largest number in one run of the sizes the front door
actually handled. Nothing of the baseline is written.

Uses KAFKA_BOOTSTRAP/MONGO_URI when set, else starts its own Kafka and
SecantusDB in a temporary folder.

    uv run python benchmarks/identity_burst.py [--children 1000] [--seed 20260524]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# run as a script, this folder comes first on sys.path and its front_door.py (the
# throughput benchmark) would hide the front_door package
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

from aiokafka import AIOKafkaProducer
from front_door.domain.identity import PersonDetails, blocking_keys, candidates_for
from front_door.service_layer.persons import BLOCK_LIMIT
from front_door.settings import FrontDoorSettings
from hub_contracts.binding import to_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import AgencyReference, ChildAsStated, ChildConcernRaisedV2, Sex
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.kafka_security import kafka_options
from hub_messaging.topics import ensure_topics
from hub_testing.infra import environment, provide_infrastructure
from hub_testing.processes import free_port, start_ready
from pymongo import AsyncMongoClient

REPO = Path(__file__).resolve().parents[1]
GIVEN, BORN, SEX = "Olivia", date(2017, 5, 14), Sex.FEMALE
BASE_SURNAME = "thompson"
BASIS = SharingBasis(
    lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
)
SUGGESTED = "candidate matches suggested"
CAPPED = "candidate matches not written: the transaction's cap is reached"


def surnames(n: int, seed: int) -> list[str]:
    """``n`` surnames each one to three letters from ``BASE_SURNAME`` (some repeat)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible population, not a secret
    letters = "abcdefghijklmnoprstuvwy"
    out = []
    for _ in range(n):
        name = list(BASE_SURNAME)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(1, len(name))  # keep the first letter, as families do
            edit = rng.choice(("swap", "drop", "add"))
            if edit == "swap":
                name[at] = rng.choice(letters)
            elif edit == "drop" and len(name) > 5:
                del name[at]
            else:
                name.insert(at, rng.choice(letters))
        out.append("".join(name).title())
    return out


def concern(tenant: str, i: int, family_name: str) -> CloudEvent:
    person = f"CLV-P-{i:06d}"
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject=person,
        payload=ChildConcernRaisedV2(
            agency_reference=AgencyReference(agency=Agency.POLICE, reference=f"INC-{i:07d}"),
            referral_source=ReferralSource.POLICE,
            rag_rating=RagRating.AMBER,
            concern_summary="Children present at a disturbance; names and dates as given.",
            child=ChildAsStated(
                agency_person_id=person,
                given_name=GIVEN,
                family_name=family_name,
                date_of_birth=BORN,
                sex=SEX,
            ),
            occurred_at=datetime.now(UTC),
        ),
        sharing=BASIS,
    )


def unbounded_baseline(names: list[str], runs: list[int]) -> dict[str, float]:
    """The candidates the old behaviour would have made (scored, not written): each child
    against up to ``BLOCK_LIMIT`` earlier children sharing a blocking key, all kept."""
    start = time.perf_counter()
    children = [PersonDetails(f"B-{i:06d}", GIVEN, n, BORN, SEX.value) for i, n in enumerate(names)]
    keys = [set(blocking_keys(c)) for c in children]
    per_child = []
    for i, child in enumerate(children):
        block = [c for j, c in enumerate(children[:i]) if keys[j] & keys[i]][:BLOCK_LIMIT]
        per_child.append(len(candidates_for(child, block)))
    largest_run, at = 0, 0
    for size in runs:  # the runs the front door handled, in arrival order
        largest_run = max(largest_run, sum(per_child[at : at + size]))
        at += size
    return {
        "candidates": sum(per_child),
        "largest_run": largest_run if at == len(children) else float("nan"),
        "seconds": time.perf_counter() - start,
    }


def _suggestion_lines(log_path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in log_path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") in (SUGGESTED, CAPPED):
            lines.append(entry)
    return lines


async def burst(bootstrap: str, mongo_uri: str, tenant: str, names: list[str]) -> dict[str, Any]:
    n = len(names)
    encoded = [to_kafka(concern(tenant, i, name)) for i, name in enumerate(names)]
    topic = f"{tenant}.police-feed.child-concern-raised.v2"
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    db = mongo[f"{tenant}__front_door"]
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
    while (stored := await db["contacts"].count_documents({})) < n:
        await asyncio.sleep(0.1)
        if time.perf_counter() - start > 900:
            break
    elapsed = time.perf_counter() - start
    await producer.stop()
    candidates = await db["person_candidates"].find({}, {"new_person_id": 1}).to_list()
    persons = await db["persons"].count_documents({})
    await mongo.close()
    per_person = Counter(c["new_person_id"] for c in candidates)
    return {
        "stored": stored,
        "persons": persons,
        "seconds": elapsed,
        "candidates": len(candidates),
        "most_per_person": max(per_person.values(), default=0),
    }


async def run(bootstrap: str, mongo_uri: str, n: int, seed: int) -> int:
    tenant = "b" + uuid.uuid4().hex[:10]
    await ensure_topics(bootstrap, [f"{tenant}.police-feed.child-concern-raised.v2"])
    names = surnames(n, seed)
    port = free_port()
    env = {
        "KAFKA_BOOTSTRAP": bootstrap,
        "MONGO_URI": mongo_uri,
        "HUB_TENANTS": tenant,
        "FRONT_DOOR_PORT": str(port),
        "HUB_LOG_LEVEL": "INFO",  # the candidate counts per run (no personal data)
    }
    with tempfile.TemporaryDirectory() as logs:
        log_path = Path(logs) / "front-door.log"
        with log_path.open("wb") as log:
            front_door = start_ready(
                [sys.executable, "-m", "front_door"], env, port, cwd=REPO, stderr=log
            )
            try:
                took = await burst(bootstrap, mongo_uri, tenant, names)
            finally:
                front_door.terminate()
                front_door.wait(timeout=30)
        lines = _suggestion_lines(log_path)
    runs = [int(e["new_persons"]) for e in lines]
    largest = max((int(e["transaction_writes"]) for e in lines), default=0)
    not_written = sum(int(e["not_written"]) for e in lines)
    old = unbounded_baseline(names, runs)

    limits = FrontDoorSettings().candidate_limits  # what the front door reads, too
    k, cap = limits.per_person, limits.per_transaction
    print(f"\nidentity burst: {n} children, all {GIVEN}, born {BORN}, {SEX.value}, surnames")
    print(f"a few letters apart ({len(set(names))} distinct), tenant {tenant}, seed {seed}")
    print(f"{'':<44}{'bounded (now)':>16}{'unbounded (old)':>18}")
    print(f"{'contacts stored':<44}{took['stored']:>16,}{'-':>18}")
    print(f"{'persons made':<44}{took['persons']:>16,}{'-':>18}")
    print(f"{'candidate matches':<44}{took['candidates']:>16,}{old['candidates']:>18,.0f}")
    print(f"{'most candidates of one new person':<44}{took['most_per_person']:>16}{'-':>18}")
    print(f"{'largest candidate writes in one transaction':<44}{largest:>16,}", end="")
    print(f"{old['largest_run']:>18,.0f}")
    print(f"{'candidates left out by the cap':<44}{not_written:>16,}{'-':>18}")
    print(f"{'runs of concerns (sizes as handled)':<44}{len(runs):>16}{'':>18}")
    print(
        f"{'time':<44}{took['seconds']:>14.1f} s{old['seconds']:>16.1f} s"
        f"  ({n / took['seconds']:.0f} concerns/s; old: scoring only)"
    )
    ok = (
        took["stored"] == n
        and took["most_per_person"] <= k
        and largest <= cap
        and took["candidates"] < old["candidates"]
    )
    print(
        f"all {n} contacts, at most K={k} per new person, at most {cap:,} writes per "
        f"transaction -> {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20260524)
    args = parser.parse_args()
    if os.environ.get("KAFKA_BOOTSTRAP") and os.environ.get("MONGO_URI"):
        return asyncio.run(
            run(os.environ["KAFKA_BOOTSTRAP"], os.environ["MONGO_URI"], args.children, args.seed)
        )
    with (
        tempfile.TemporaryDirectory() as state,
        provide_infrastructure(Path(state)) as infra,
        environment(infra.session_env()),  # every client authenticates as hub-admin
    ):
        print(f"infrastructure: {infra.origin}", file=sys.stderr)
        return asyncio.run(run(infra.kafka_bootstrap, infra.mongo_uri, args.children, args.seed))


if __name__ == "__main__":
    sys.exit(main())
