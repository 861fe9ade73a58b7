"""hubctl dlq list, show and replay on the real broker and database."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaTimeoutError
from dlq_samples import (
    INBOUND_RECIPIENT,
    RECIPIENT,
    SUBJECT,
    as_dead_letter,
    event_topic,
    handler_failed,
    inbound_refused,
    inbound_topic,
    policy_refused,
    without_personal_data,
)
from hub_contracts.tenancy import database_name
from hub_contracts.topics import dead_letter_topic
from hub_messaging.kafka_security import kafka_options
from hub_messaging.outbox import OUTBOX, OutgoingRecord, ensure_outbox_indexes
from hub_messaging.topics import ensure_topics
from hub_ops import dlq
from hub_ops.cli import build_parser, main, run
from hub_ops.dead_letters import Position
from hub_ops.replay import AUDIT, ReplayIncomplete, ReplayStatus, replay_one
from hub_ops.settings import OpsSettings
from hub_testing.bus import read_topic, until
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration

Document = dict[str, Any]


@pytest.fixture
async def mongo(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client
    await client.close()


async def dead_letter(
    bootstrap: str, records: Sequence[OutgoingRecord], partition: int = 0
) -> list[Position]:
    """Publish dead letters as a service's relay does; where each landed."""
    topics = {r.topic for r in records}
    await ensure_topics(bootstrap, [*topics, *(t.removesuffix(".dlq") for t in topics)])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **kafka_options()
    )
    await producer.start()
    try:
        positions = []
        for r in records:
            sent = await producer.send_and_wait(
                r.topic, value=r.value, key=r.key, headers=r.headers, partition=partition
            )
            positions.append(Position(sent.partition, sent.offset))
        return positions
    finally:
        await producer.stop()


async def hubctl(bootstrap: str, mongo_uri: str, *argv: str) -> tuple[int, str]:
    """The command line, run in this event loop: exit status and output."""
    out = io.StringIO()
    settings = OpsSettings(kafka_bootstrap=bootstrap, mongo_uri=mongo_uri)
    status = await run(build_parser().parse_args(argv), settings, out)
    return status, out.getvalue()


def payload_free(text: str, records: Sequence[OutgoingRecord]) -> bool:
    return without_personal_data(text) and not any(
        r.value and r.value.decode() in text for r in records
    )


async def test_list_and_show_tell_what_was_refused_without_payloads(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    records = [handler_failed(tenant), policy_refused(tenant), inbound_refused(tenant)]
    failed, refused = await dead_letter(kafka_bootstrap, records[:2], partition=1)
    (inbound,) = await dead_letter(kafka_bootstrap, records[2:])
    event_dlq = dead_letter_topic(event_topic(tenant))

    found = await dlq.list_dead_letters(kafka_bootstrap, tenant=tenant)
    assert [(d.topic, d.position) for d in found] == [
        (dead_letter_topic(inbound_topic(tenant)), inbound),
        (event_dlq, failed),
        (event_dlq, refused),
    ]
    assert [d.reason for d in found] == ["unknown-school", "handler-failed", "basis-not-accepted"]
    only = await dlq.list_dead_letters(kafka_bootstrap, tenant=tenant, reason="handler-failed")
    assert [d.position for d in only] == [failed]
    on_topic = await dlq.list_dead_letters(kafka_bootstrap, topic=event_dlq)
    assert [d.position for d in on_topic] == [failed, refused]

    status, text = await hubctl(kafka_bootstrap, mongo_uri, "dlq", "list", "--tenant", tenant)
    assert status == 0
    assert f"{event_dlq} {failed}" in text
    assert "3 dead letter(s)" in text
    assert payload_free(text, records)
    status, text = await hubctl(
        kafka_bootstrap, mongo_uri, "dlq", "list", "--tenant", tenant, "--json"
    )
    assert len(json.loads(text)["dead_letters"]) == 3
    assert payload_free(text, records)

    for position, record in [(failed, records[0]), (refused, records[1]), (inbound, records[2])]:
        status, text = await hubctl(
            kafka_bootstrap, mongo_uri, "dlq", "show", record.topic, str(position)
        )
        assert status == 0
        assert payload_free(text, records)
        assert f"{len(record.value)} bytes" in text
    status, text = await hubctl(
        kafka_bootstrap, mongo_uri, "dlq", "show", event_dlq, str(failed), "--json"
    )
    shown = json.loads(text)
    assert shown["replayable"] is True
    assert shown["payload"]["bytes"] == len(records[0].value)
    assert SUBJECT not in text


async def test_show_of_an_offset_that_holds_nothing_says_what_the_partition_holds(
    kafka_bootstrap: str, unique_name: str
) -> None:
    (position,) = await dead_letter(kafka_bootstrap, [handler_failed(unique_name)])
    topic = dead_letter_topic(event_topic(unique_name))
    with pytest.raises(LookupError, match=r"holds offsets 0 to 0"):
        await dlq.show_dead_letter(kafka_bootstrap, topic, Position(0, 5))
    with pytest.raises(LookupError, match="no topic"):
        await dlq.show_dead_letter(kafka_bootstrap, f"{unique_name}.nothing.v1.dlq", position)


def replayed(original: OutgoingRecord, dlq: str, at: Position, by: str) -> OutgoingRecord:
    """What a replay of ``original`` (dead-lettered at ``dlq`` ``at``) puts on its source topic."""
    source = original.topic.removesuffix(".dlq")
    return OutgoingRecord(
        source,
        original.key,
        original.value,
        [
            *[(k, v) for k, v in original.headers if not k.startswith("dlq_")],
            ("hub_replay_of", f"{dlq}:{at}".encode()),
            ("hub_replayed_by", by.encode()),
        ],
    )


async def on_topic(bootstrap: str, topic: str, expect: int) -> list[Any]:
    """Every record on ``topic`` once ``expect`` have arrived, after waiting a little
    longer for one more: nothing else may have been published."""
    found = await read_topic(bootstrap, topic, expect=expect)
    assert len(found) >= expect, f"{len(found)} record(s) on {topic}, {expect} expected"
    return await read_topic(bootstrap, topic, expect=expect + 1, timeout_s=3)


def sent(record: Any) -> OutgoingRecord:
    """A consumed record as the ``OutgoingRecord`` it was published as."""
    return OutgoingRecord(record.topic, record.key, record.value, list(record.headers))


async def nothing_on(bootstrap: str, topic: str) -> bool:
    return await read_topic(bootstrap, topic, expect=1, timeout_s=2) == []


class RefusingProducer:
    """A producer whose broker never acknowledges: hubctl dies between recording the
    replay and publishing it."""

    async def send_and_wait(self, topic: str, **_: Any) -> Any:
        raise KafkaTimeoutError(f"no acknowledgement from {topic}")


async def test_a_replay_is_audited_then_published_to_its_source_topic_once(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, mongo: AsyncMongoClient[Document]
) -> None:
    tenant = unique_name
    original = handler_failed(tenant)
    (position,) = await dead_letter(kafka_bootstrap, [original], partition=2)
    db = mongo[database_name(tenant, RECIPIENT)]
    await ensure_outbox_indexes(db)  # as the recipient does at start-up
    topic = dead_letter_topic(event_topic(tenant))

    argv = ["dlq", "replay", topic, str(position), "--by", "alice"]
    status, text = await hubctl(
        kafka_bootstrap, mongo_uri, *argv, "--reason-note", "handler fixed in 1.4.2"
    )
    assert status == 0, text
    assert text.startswith(f"replayed {topic} {position}")
    assert f"hubctl dlq list --topic {topic}" in text
    assert payload_free(text, [original])

    # on the source topic, published by hubctl: exactly the original headers, saying it is
    # a replay; nothing queued in the recipient's outbox (its relay may not write there)
    (landed,) = await on_topic(kafka_bootstrap, event_topic(tenant), expect=1)
    assert sent(landed) == replayed(original, topic, position, "alice")
    assert await db[OUTBOX].count_documents({}) == 0
    assert f"published to {event_topic(tenant)} at {landed.partition}:{landed.offset}" in text

    row_id = f"replay|{topic}|{position}"
    audit = await db[AUDIT].find_one({"_id": row_id})
    assert audit is not None
    dead = as_dead_letter(original)
    assert {k: v for k, v in audit.items() if k not in ("at", "published_at")} == {
        "_id": row_id,
        "action": "dlq-replay",
        "by": "alice",
        "note": "handler fixed in 1.4.2",
        "tenant": tenant,
        "dlq_topic": topic,
        "dlq_partition": position.partition,
        "dlq_offset": position.offset,
        "source_topic": event_topic(tenant),
        "source_offset": "1:7",
        "reason": "handler-failed",
        "recipient": RECIPIENT,
        "event_id": dead.event_id,
        "event_type": dead.event_type,
        "status": "published",
        "published_offset": f"{landed.partition}:{landed.offset}",
        "published_by": "alice",
    }
    assert audit["at"] <= audit["published_at"]

    # a second replay changes nothing and publishes nothing
    status, text = await hubctl(
        kafka_bootstrap, mongo_uri, "dlq", "replay", topic, str(position), "--by", "bob"
    )
    assert status == 0
    assert text.startswith("already replayed at ")
    assert " by alice" in text
    assert "follow it" not in text
    assert len(await on_topic(kafka_bootstrap, event_topic(tenant), expect=1)) == 1
    assert await db[AUDIT].find({}).to_list() == [audit]
    assert await db[OUTBOX].count_documents({}) == 0


async def test_policy_refusals_are_refused_and_a_range_replays_only_the_replayable(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, mongo: AsyncMongoClient[Document]
) -> None:
    tenant = unique_name
    records = [handler_failed(tenant), policy_refused(tenant), handler_failed(tenant)]
    first, refused, last = await dead_letter(kafka_bootstrap, records)
    db = mongo[database_name(tenant, RECIPIENT)]
    await ensure_outbox_indexes(db)
    topic = dead_letter_topic(event_topic(tenant))

    status, text = await hubctl(
        kafka_bootstrap, mongo_uri, "dlq", "replay", topic, str(refused), "--by", "alice"
    )
    assert status == 1
    assert text.startswith(f"not replayed: {topic} {refused}")
    assert "sharing policy" in text
    assert "never pushes an event past the policy" in text
    assert await db[OUTBOX].count_documents({}) == 0
    assert await db[AUDIT].count_documents({}) == 0
    assert await nothing_on(kafka_bootstrap, event_topic(tenant))

    outcomes = await dlq.replay_dead_letters(
        kafka_bootstrap, mongo_uri, topic, first, to=last.offset, by="alice"
    )
    assert [(o.dead_letter.position, o.status) for o in outcomes] == [
        (first, ReplayStatus.REPLAYED),
        (refused, ReplayStatus.REFUSED),
        (last, ReplayStatus.REPLAYED),
    ]
    published = [sent(r) for r in await on_topic(kafka_bootstrap, event_topic(tenant), expect=2)]
    assert sorted(published) == sorted(
        [replayed(records[0], topic, first, "alice"), replayed(records[2], topic, last, "alice")]
    )
    audits = await db[AUDIT].find({}).to_list()
    assert sorted(a["dlq_offset"] for a in audits) == [first.offset, last.offset]
    assert {a["status"] for a in audits} == {"published"}
    assert await db[OUTBOX].count_documents({}) == 0


async def test_a_replay_for_a_recipient_not_running_here_is_refused(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, mongo: AsyncMongoClient[Document]
) -> None:
    (position,) = await dead_letter(kafka_bootstrap, [inbound_refused(unique_name)])
    topic = dead_letter_topic(inbound_topic(unique_name))
    (outcome,) = await dlq.replay_dead_letters(
        kafka_bootstrap, mongo_uri, topic, position, by="alice"
    )
    assert outcome.status is ReplayStatus.REFUSED
    assert "has no outbox" in outcome.why
    db_name = database_name(unique_name, INBOUND_RECIPIENT)
    assert db_name not in await mongo.list_database_names()
    assert await nothing_on(kafka_bootstrap, inbound_topic(unique_name))


async def test_an_agency_record_is_replayed_onto_the_inbound_topic_its_service_may_not_write(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, mongo: AsyncMongoClient[Document]
) -> None:
    tenant = unique_name
    original = inbound_refused(tenant)
    (position,) = await dead_letter(kafka_bootstrap, [original])
    db = mongo[database_name(tenant, INBOUND_RECIPIENT)]
    await ensure_outbox_indexes(db)
    topic = dead_letter_topic(inbound_topic(tenant))
    (outcome,) = await dlq.replay_dead_letters(
        kafka_bootstrap, mongo_uri, topic, position, by="alice", note="school added"
    )
    assert outcome.status is ReplayStatus.REPLAYED

    # police-feed's relay could not have put it there: only the agency (and hub-admin)
    # may write an inbound topic
    (landed,) = await on_topic(kafka_bootstrap, inbound_topic(tenant), expect=1)
    record = sent(landed)
    assert record == replayed(original, topic, position, "alice")
    assert ("x-agency-note", original.headers[0][1]) in record.headers
    assert not [k for k, _ in record.headers if k.startswith("dlq_")]
    assert outcome.published == (landed.partition, landed.offset)
    audit = await db[AUDIT].find_one({"_id": f"replay|{topic}|{position}"})
    assert audit is not None
    assert (audit["status"], audit["note"]) == ("published", "school added")
    assert audit["published_offset"] == f"{landed.partition}:{landed.offset}"
    assert await db[OUTBOX].count_documents({}) == 0


async def test_two_operators_replaying_at_once_replay_it_once(
    kafka_bootstrap: str, unique_name: str, mongo: AsyncMongoClient[Document]
) -> None:
    original = handler_failed(unique_name)
    (position,) = await dead_letter(kafka_bootstrap, [original])
    db = mongo[database_name(unique_name, RECIPIENT)]
    await ensure_outbox_indexes(db)
    topic = dead_letter_topic(event_topic(unique_name))
    dead = await dlq.show_dead_letter(kafka_bootstrap, topic, position)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, **kafka_options()
    )
    await producer.start()
    try:
        outcomes = await asyncio.gather(
            replay_one(mongo, producer, dead, by="alice"),
            replay_one(mongo, producer, dead, by="bob"),
        )
    finally:
        await producer.stop()
    statuses = sorted(o.status for o in outcomes)
    # the second one either finds the first published (already replayed), or still
    # pending, and then publishes the same record too (completed)
    assert statuses in (
        [ReplayStatus.ALREADY_REPLAYED, ReplayStatus.REPLAYED],
        [ReplayStatus.COMPLETED, ReplayStatus.REPLAYED],
    )
    first = next(o for o in outcomes if o.status is ReplayStatus.REPLAYED)
    other = next(o for o in outcomes if o is not first)
    assert other.by == first.by  # whoever recorded it first is the one who replayed it
    twice = other.status is ReplayStatus.COMPLETED
    landed = await on_topic(kafka_bootstrap, event_topic(unique_name), expect=2 if twice else 1)
    published = [sent(r) for r in landed]
    # published twice, it is the same record, the same event id: the recipient handles it
    # once (it handles a hub_replay_of record afresh only if it had dead-lettered the
    # event, and drops the second as a duplicate once the first is handled)
    assert published == [replayed(original, topic, position, str(first.by))] * len(published)
    assert len(published) == (2 if twice else 1)
    (audit,) = await db[AUDIT].find({}).to_list()
    assert audit["status"] == "published"
    assert len(audit.get("republished", [])) == (1 if twice else 0)
    assert await db[OUTBOX].count_documents({}) == 0


class HeldProducer:
    """A producer that holds its records until ``release`` is set."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self.release = asyncio.Event()

    async def send_and_wait(self, topic: str, **kwargs: Any) -> Any:
        await self.release.wait()
        return await self.producer.send_and_wait(topic, **kwargs)


async def test_a_replay_overtaken_while_publishing_is_published_twice_and_audited_once(
    kafka_bootstrap: str, unique_name: str, mongo: AsyncMongoClient[Document]
) -> None:
    original = handler_failed(unique_name)
    (position,) = await dead_letter(kafka_bootstrap, [original])
    db = mongo[database_name(unique_name, RECIPIENT)]
    await ensure_outbox_indexes(db)
    topic = dead_letter_topic(event_topic(unique_name))
    dead = await dlq.show_dead_letter(kafka_bootstrap, topic, position)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, **kafka_options()
    )
    await producer.start()
    try:
        held = HeldProducer(producer)
        slow = asyncio.create_task(replay_one(mongo, held, dead, by="alice"))

        async def recorded() -> bool:
            return bool(await db[AUDIT].count_documents({"status": "pending"}))

        await until(recorded, what="alice's replay recorded")
        # alice's hubctl looks dead to bob: recorded, not published
        overtaking = await replay_one(mongo, producer, dead, by="bob")
        held.release.set()
        first = await slow
    finally:
        await producer.stop()
    assert (first.status, overtaking.status) == (ReplayStatus.REPLAYED, ReplayStatus.COMPLETED)
    assert (overtaking.by, overtaking.published_by) == ("alice", "bob")
    landed = await on_topic(kafka_bootstrap, event_topic(unique_name), expect=2)
    # the same record twice, the same event id: the recipient handles it once
    assert [sent(r) for r in landed] == [replayed(original, topic, position, "alice")] * 2
    (audit,) = await db[AUDIT].find({}).to_list()
    assert (audit["status"], audit["published_by"]) == ("published", "bob")
    assert audit["published_offset"] == str(overtaking.published)
    assert [r["published_by"] for r in audit["republished"]] == ["alice"]
    assert audit["republished"][0]["published_offset"] == str(first.published)


async def test_a_replay_that_died_before_publishing_is_completed_by_the_next(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, mongo: AsyncMongoClient[Document]
) -> None:
    tenant = unique_name
    original = handler_failed(tenant)
    (position,) = await dead_letter(kafka_bootstrap, [original])
    db = mongo[database_name(tenant, RECIPIENT)]
    await ensure_outbox_indexes(db)
    topic = dead_letter_topic(event_topic(tenant))
    dead = await dlq.show_dead_letter(kafka_bootstrap, topic, position)

    with pytest.raises(ReplayIncomplete, match="run the same replay again"):
        await replay_one(mongo, RefusingProducer(), dead, by="alice", note="fixed")
    row_id = f"replay|{topic}|{position}"
    pending = await db[AUDIT].find_one({"_id": row_id})
    assert pending is not None
    assert (pending["status"], pending["by"]) == ("pending", "alice")
    assert await nothing_on(kafka_bootstrap, event_topic(tenant))

    status, text = await hubctl(
        kafka_bootstrap, mongo_uri, "dlq", "replay", topic, str(position), "--by", "bob"
    )
    assert status == 0, text
    assert text.startswith(f"completed an earlier replay of {topic} {position}")
    assert "recorded by alice" in text
    assert "follow it:" in text
    (landed,) = await on_topic(kafka_bootstrap, event_topic(tenant), expect=1)
    assert sent(landed) == replayed(original, topic, position, "alice")
    audit = await db[AUDIT].find_one({"_id": row_id})
    assert audit is not None
    assert (audit["status"], audit["by"], audit["note"]) == ("published", "alice", "fixed")
    assert audit["published_by"] == "bob"
    assert audit["at"] == pending["at"]
    assert audit["published_offset"] == f"{landed.partition}:{landed.offset}"
    assert f"published to {event_topic(tenant)} at {audit['published_offset']}" in text

    status, text = await hubctl(
        kafka_bootstrap, mongo_uri, "dlq", "replay", topic, str(position), "--by", "carol"
    )
    assert (status, text.startswith("already replayed at ")) == (0, True)
    assert len(await on_topic(kafka_bootstrap, event_topic(tenant), expect=1)) == 1
    assert await db[AUDIT].find_one({"_id": row_id}) == audit


async def test_a_replay_kafka_does_not_acknowledge_exits_1_saying_how_to_complete_it(
    kafka_bootstrap: str,
    mongo_uri: str,
    unique_name: str,
    mongo: AsyncMongoClient[Document],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    records = [handler_failed(unique_name), handler_failed(unique_name)]
    first, second = await dead_letter(kafka_bootstrap, records)
    db = mongo[database_name(unique_name, RECIPIENT)]
    await ensure_outbox_indexes(db)
    topic = dead_letter_topic(event_topic(unique_name))
    publish = AIOKafkaProducer.send_and_wait
    calls = []

    async def acknowledged_once(self: Any, topic: str, **kwargs: Any) -> Any:
        calls.append(topic)
        if len(calls) > 1:
            raise KafkaTimeoutError(f"no acknowledgement from {topic}")
        return await publish(self, topic, **kwargs)

    monkeypatch.setattr(AIOKafkaProducer, "send_and_wait", acknowledged_once)
    monkeypatch.setenv("KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("MONGO_URI", mongo_uri)
    argv = ["dlq", "replay", topic, str(first), "--to", str(second.offset), "--by", "alice"]
    status = await asyncio.to_thread(main, argv)
    out, err = capsys.readouterr()
    assert status == 1
    assert out.startswith(f"replayed {topic} {first}")  # the one before it, in the range
    assert f"could not publish the replay of {topic} {second}" in err
    assert "run the same replay again to complete it" in err
    audits = {a["dlq_offset"]: a["status"] for a in await db[AUDIT].find({}).to_list()}
    assert audits == {first.offset: "published", second.offset: "pending"}
    monkeypatch.undo()
    published = await on_topic(kafka_bootstrap, event_topic(unique_name), expect=1)
    assert [sent(r) for r in published] == [replayed(records[0], topic, first, "alice")]


async def test_the_installed_command_reads_its_configuration_from_the_environment(
    kafka_bootstrap: str,
    unique_name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    record = handler_failed(unique_name)
    (position,) = await dead_letter(kafka_bootstrap, [record])
    monkeypatch.setenv("KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("HUB_ZIPKIN_URL", "http://zipkin.internal:9411")
    # main() runs its own event loop, as the console script does
    status = await asyncio.to_thread(main, ["dlq", "show", record.topic, str(position)])
    out = capsys.readouterr().out
    assert status == 0
    assert "http://zipkin.internal:9411/zipkin/traces/" in out
    assert payload_free(out, [record])
