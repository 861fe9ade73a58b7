"""hubctl dlq list, show and replay on the real broker and database."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
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
from hub_messaging.outbox import OUTBOX, OutgoingRecord, decode_records, ensure_outbox_indexes
from hub_messaging.relay import OutboxRelay
from hub_messaging.topics import ensure_topics
from hub_ops import dlq
from hub_ops.cli import build_parser, main, run
from hub_ops.dead_letters import Position
from hub_ops.replay import AUDIT, ReplayStatus, replay_one
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
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
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


async def test_a_replay_queues_the_record_in_the_recipients_outbox_once_and_audits_it(
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

    row_id = f"replay|{topic}|{position}"
    row = await db[OUTBOX].find_one({"_id": row_id})
    assert row is not None
    assert row["sent"] is False
    assert decode_records(row) == [
        OutgoingRecord(
            event_topic(tenant),
            original.key,
            original.value,
            [
                *[(k, v) for k, v in original.headers if not k.startswith("dlq_")],
                ("hub_replay_of", f"{topic}:{position}".encode()),
                ("hub_replayed_by", b"alice"),
            ],
        )
    ]
    audit = await db[AUDIT].find_one({"_id": row_id})
    assert audit is not None
    dead = as_dead_letter(original)
    assert {k: v for k, v in audit.items() if k != "at"} == {
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
    }

    status, text = await hubctl(
        kafka_bootstrap, mongo_uri, "dlq", "replay", topic, str(position), "--by", "bob"
    )
    assert status == 0
    assert text.startswith("already replayed at ")
    assert " by alice" in text
    assert await db[OUTBOX].count_documents({"_id": {"$regex": "^replay"}}) == 1
    assert await db[AUDIT].count_documents({}) == 1


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

    outcomes = await dlq.replay_dead_letters(
        kafka_bootstrap, mongo_uri, topic, first, to=last.offset, by="alice"
    )
    assert [(o.dead_letter.position, o.status) for o in outcomes] == [
        (first, ReplayStatus.REPLAYED),
        (refused, ReplayStatus.REFUSED),
        (last, ReplayStatus.REPLAYED),
    ]
    assert await db[OUTBOX].count_documents({}) == 2


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


async def test_the_recipients_relay_puts_the_replayed_record_back_on_its_source_topic(
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

    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    relay = OutboxRelay(producer, [db], idle_poll_s=0.05)
    relay.start()
    row_id = f"replay|{topic}|{position}"

    async def marked_sent() -> bool:
        return bool(await db[OUTBOX].count_documents({"_id": row_id, "sent": True}))

    try:
        (record,) = await read_topic(kafka_bootstrap, inbound_topic(tenant), expect=1)
        await until(marked_sent, what="the replay's outbox row marked sent")
    finally:
        await relay.stop()
        await producer.stop()
    assert (record.key, record.value) == (original.key, original.value)
    headers = list(record.headers)
    assert ("hub_replay_of", f"{topic}:{position}".encode()) in headers
    assert ("hub_replayed_by", b"alice") in headers
    assert ("x-agency-note", original.headers[0][1]) in headers
    assert not [k for k, _ in headers if k.startswith("dlq_")]


async def test_two_operators_replaying_at_once_replay_it_once(
    kafka_bootstrap: str, unique_name: str, mongo: AsyncMongoClient[Document]
) -> None:
    original = handler_failed(unique_name)
    (position,) = await dead_letter(kafka_bootstrap, [original])
    db = mongo[database_name(unique_name, RECIPIENT)]
    await ensure_outbox_indexes(db)
    dead = await dlq.show_dead_letter(
        kafka_bootstrap, dead_letter_topic(event_topic(unique_name)), position
    )
    outcomes = await asyncio.gather(
        replay_one(mongo, dead, by="alice"), replay_one(mongo, dead, by="bob")
    )
    assert sorted(o.status for o in outcomes) == [
        ReplayStatus.ALREADY_REPLAYED,
        ReplayStatus.REPLAYED,
    ]
    replayed = next(o for o in outcomes if o.status is ReplayStatus.REPLAYED)
    already = next(o for o in outcomes if o.status is ReplayStatus.ALREADY_REPLAYED)
    assert already.by == replayed.by
    assert await db[OUTBOX].count_documents({}) == 1
    assert await db[AUDIT].count_documents({}) == 1


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
