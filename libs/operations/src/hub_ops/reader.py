"""Reading dead-letter topics without moving anyone's offsets.

A plain consumer with no group and no commits, assigned to the partitions it
reads, from where it is asked to start up to the partitions' end as they were
when it started: dead letters arriving meanwhile wait for the next listing.
Every read is bounded in time.
"""

from __future__ import annotations

import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from hub_messaging.kafka_security import kafka_options

from hub_ops.dead_letters import DeadLetter, Position, is_dead_letter_topic, tenant_of

READ_TIMEOUT_S = 60.0


class DeadLetterNotFound(LookupError):
    """No such dead-letter topic, partition or offset."""


class ReadIncomplete(TimeoutError):
    """The topics could not be read to their end in time."""


def _consumer(bootstrap: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,  # no group: nothing is committed, no one's offsets move
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id="hubctl",
        **kafka_options(),
    )


async def _topic_partitions(bootstrap: str) -> dict[str, list[int]]:
    """Every topic of the cluster and its partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="hubctl", **kafka_options())
    await admin.start()
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    return {
        t["topic"]: sorted(p["partition"] for p in t["partitions"])
        for t in described
        if t["error_code"] == 0
    }


async def _read(
    consumer: AIOKafkaConsumer,
    ranges: dict[TopicPartition, tuple[int, int]],
    timeout_s: float,
) -> list[DeadLetter]:
    """The records of each partition from the first offset up to (not including) the stop."""
    pending = {tp: (first, stop) for tp, (first, stop) in ranges.items() if first < stop}
    if not pending:
        return []
    consumer.assign(list(pending))
    for tp, (first, _) in pending.items():
        consumer.seek(tp, first)
    found: list[DeadLetter] = []
    deadline = time.monotonic() + timeout_s
    while pending:
        if time.monotonic() > deadline:
            left = ", ".join(f"{tp.topic} {tp.partition}" for tp in pending)
            raise ReadIncomplete(f"could not read to the end of {left} in {timeout_s:.0f} s")
        batch = await consumer.getmany(*pending, timeout_ms=500)
        for tp, records in batch.items():
            if tp not in pending:
                continue
            stop = pending[tp][1]
            found.extend(DeadLetter.from_record(r) for r in records if r.offset < stop)
        for tp in list(pending):
            if await consumer.position(tp) >= pending[tp][1]:
                del pending[tp]
    return sorted(found, key=lambda d: (d.topic, d.partition, d.offset))


async def read_dead_letters(
    bootstrap: str,
    *,
    tenant: str | None = None,
    topic: str | None = None,
    timeout_s: float = READ_TIMEOUT_S,
) -> list[DeadLetter]:
    """Every dead letter on every ``*.dlq`` topic (of ``tenant``; or only ``topic``)."""
    if topic is not None and not is_dead_letter_topic(topic):
        raise DeadLetterNotFound(f"{topic} is not a dead-letter topic (they end in .dlq)")
    existing = await _topic_partitions(bootstrap)
    if topic is not None and topic not in existing:
        raise DeadLetterNotFound(f"no topic {topic}")
    partitions = [
        TopicPartition(name, p)
        for name, numbers in sorted(existing.items())
        if is_dead_letter_topic(name)
        and (tenant is None or tenant_of(name) == tenant)
        and (topic is None or name == topic)
        for p in numbers
    ]
    if not partitions:
        return []
    consumer = _consumer(bootstrap)
    await consumer.start()
    try:
        consumer.assign(partitions)
        firsts = await consumer.beginning_offsets(partitions)
        stops = await consumer.end_offsets(partitions)
        return await _read(consumer, {tp: (firsts[tp], stops[tp]) for tp in partitions}, timeout_s)
    finally:
        await consumer.stop()


async def read_range(
    bootstrap: str,
    topic: str,
    start: Position,
    last_offset: int | None = None,
    *,
    timeout_s: float = READ_TIMEOUT_S,
) -> list[DeadLetter]:
    """The dead letters of ``topic`` on ``start``'s partition from its offset to
    ``last_offset`` (inclusive; default: just that one). ``DeadLetterNotFound`` when
    there is none."""
    if not is_dead_letter_topic(topic):
        raise DeadLetterNotFound(f"{topic} is not a dead-letter topic (they end in .dlq)")
    last = start.offset if last_offset is None else last_offset
    if last < start.offset:
        raise ValueError(f"--to {last} is before {start.offset}")
    partitions = (await _topic_partitions(bootstrap)).get(topic)
    if partitions is None:
        raise DeadLetterNotFound(f"no topic {topic}")
    if start.partition not in partitions:
        raise DeadLetterNotFound(f"{topic} has no partition {start.partition}")
    tp = TopicPartition(topic, start.partition)
    consumer = _consumer(bootstrap)
    await consumer.start()
    try:
        consumer.assign([tp])
        first = (await consumer.beginning_offsets([tp]))[tp]
        stop = (await consumer.end_offsets([tp]))[tp]
        found = await _read(
            consumer, {tp: (max(start.offset, first), min(last + 1, stop))}, timeout_s
        )
    finally:
        await consumer.stop()
    if not found:
        held = f"offsets {first} to {stop - 1}" if stop > first else "no records"
        wanted = str(start) if last == start.offset else f"{start} to {last}"
        raise DeadLetterNotFound(
            f"no dead letter at {topic} {wanted} (partition {start.partition} holds {held})"
        )
    return found
