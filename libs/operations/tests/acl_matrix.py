"""The ACL matrix: principals x topics x {read, write}, expected by ``allowed()``, tried for real.

Each principal gets one producer and one consumer (confluent-kafka, as an
agency system would use). A write is one record to partition 0; a read is the
consumer's own metadata request for the topic (refused with
TopicAuthorizationFailed when the principal may not even describe it), then a
fetch from the start of partition 0 (refused with TopicAuthorizationFailed
when it may describe but not read; an allowed fetch reaches a record or the
partition's end).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from hub_messaging.kafka_security import KafkaSecurity
from hub_ops.access import AclRule, Operation, ResourceType, allowed

TOPIC_AUTHORIZATION_FAILED = KafkaError.TOPIC_AUTHORIZATION_FAILED
PROBE = b"acl-matrix-probe"
"""What a write attempt sends: no CloudEvent, so a consumer dead-letters it as malformed."""
ATTEMPT_TIMEOUT_S = 20.0
OPERATIONS = (Operation.READ, Operation.WRITE)
Access = Callable[[str], tuple[str, KafkaSecurity]]


@dataclass(frozen=True, order=True)
class Cell:
    principal: str
    operation: Operation
    topic: str
    expected: bool


@dataclass(frozen=True)
class Result:
    cell: Cell
    error: int | None
    """None: it worked; else the error code the broker (or client) gave."""

    @property
    def as_expected(self) -> bool:
        if self.cell.expected:
            return self.error is None
        return self.error == TOPIC_AUTHORIZATION_FAILED


def matrix(
    rules: Iterable[AclRule],
    principals: Sequence[str],
    topics: Sequence[str],
    super_users: Sequence[str] = (),
) -> list[Cell]:
    """Every cell, with what ``allowed()`` says of it."""
    held = list(rules)
    return [
        Cell(
            p,
            op,
            t,
            allowed(held, p, ResourceType.TOPIC, t, op, super_users=super_users),
        )
        for p in principals
        for op in OPERATIONS
        for t in topics
    ]


def sample(cells: Sequence[Cell], per_kind: int, seed: int = 11) -> list[Cell]:
    """Up to ``per_kind`` cells of each principal x operation x expectation (seeded)."""
    chooser = random.Random(seed)  # noqa: S311  (a test sample, not a secret)
    kinds: dict[tuple[str, Operation, bool], list[Cell]] = {}
    for cell in cells:
        kinds.setdefault((cell.principal, cell.operation, cell.expected), []).append(cell)
    chosen = [
        c for group in kinds.values() for c in chooser.sample(group, min(per_kind, len(group)))
    ]
    return sorted(chosen)


def run(cells: Sequence[Cell], access: Access, workers: int = 4) -> list[Result]:
    """Try every cell for real, a few principals at a time (blocking: run it in a thread)."""
    principals = sorted({c.principal for c in cells})
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = pool.map(
            lambda p: _run_one(p, [c for c in cells if c.principal == p], access), principals
        )
        return [result for results in done for result in results]


def _run_one(principal: str, cells: Sequence[Cell], access: Access) -> list[Result]:
    bootstrap, security = access(principal)
    results: list[Result] = []
    writes = [c for c in cells if c.operation is Operation.WRITE]
    reads = [c for c in cells if c.operation is Operation.READ]
    if writes:
        errors = attempt_writes(bootstrap, security, [c.topic for c in writes])
        results += [Result(c, errors.get(c.topic, KafkaError._TIMED_OUT)) for c in writes]
    if reads:
        errors = attempt_reads(bootstrap, security, [c.topic for c in reads])
        results += [Result(c, errors.get(c.topic, KafkaError._TIMED_OUT)) for c in reads]
    return results


def summary(results: Sequence[Result], of: int) -> str:
    allowed_ = sum(1 for r in results if r.cell.expected)
    right = sum(1 for r in results if r.as_expected)
    principals = len({r.cell.principal for r in results})
    return (
        f"ACL matrix: {len(results)} of {of} cells tried ({principals} principals), "
        f"{allowed_} allowed, {len(results) - allowed_} denied; {right} as allowed() says"
    )


def wrong(results: Sequence[Result]) -> list[str]:
    return [
        f"{r.cell.principal} {r.cell.operation.value} {r.cell.topic}: expected "
        f"{'allowed' if r.cell.expected else 'TopicAuthorizationFailed'}, got "
        f"{'allowed' if r.error is None else KafkaError(r.error).name()}"
        for r in results
        if not r.as_expected
    ]


def denied_codes(results: Sequence[Result]) -> Counter[int | None]:
    return Counter(r.error for r in results if not r.cell.expected)


# -- one principal's attempts --------------------------------------------------------------


def _config(bootstrap: str, security: KafkaSecurity) -> dict[str, str | int | float | bool]:
    return {"bootstrap.servers": bootstrap, "log_level": 0, **security.confluent()}


def attempt_writes(
    bootstrap: str, security: KafkaSecurity, topics: Sequence[str]
) -> dict[str, int | None]:
    """One record to partition 0 of each topic; each topic's delivery error (None: written)."""
    producer = Producer(
        {
            **_config(bootstrap, security),
            "acks": "all",
            "enable.idempotence": False,  # one refused topic must not fail the others' records
            "message.timeout.ms": int(ATTEMPT_TIMEOUT_S * 1000),
            "linger.ms": 20,
        }
    )
    outcome: dict[str, int | None] = {}

    def delivered(topic: str) -> Callable[[KafkaError | None, object], None]:
        def report(error: KafkaError | None, _message: object) -> None:
            outcome[topic] = None if error is None else error.code()

        return report

    for topic in topics:
        producer.produce(topic, PROBE, partition=0, on_delivery=delivered(topic))
        producer.poll(0)
    producer.flush(ATTEMPT_TIMEOUT_S + 5)
    return outcome


def attempt_reads(
    bootstrap: str, security: KafkaSecurity, topics: Sequence[str]
) -> dict[str, int | None]:
    """Each topic's metadata, then a fetch from the start of partition 0 of those described."""
    consumer = Consumer(
        {
            **_config(bootstrap, security),
            "group.id": "acl-matrix",  # never joined: partitions are assigned, nothing committed
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    outcome: dict[str, int | None] = {}
    try:
        for topic in topics:
            metadata = consumer.list_topics(topic=topic, timeout=ATTEMPT_TIMEOUT_S).topics[topic]
            if metadata.error is not None:
                outcome[topic] = metadata.error.code()
        described = [t for t in topics if t not in outcome]
        consumer.assign([TopicPartition(t, 0, OFFSET_BEGINNING) for t in described])
        deadline = time.monotonic() + ATTEMPT_TIMEOUT_S
        while len(outcome) < len(topics) and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is None or message.topic() is None:
                continue  # nothing yet, or about the (unused) group
            topic = message.topic()
            if topic in outcome:
                continue
            error = message.error()
            if error is None or error.code() == KafkaError._PARTITION_EOF:
                outcome[topic] = None
            else:
                outcome[topic] = error.code()
    finally:
        consumer.close()
    return outcome
