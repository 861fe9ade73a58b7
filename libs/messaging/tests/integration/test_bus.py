"""The consent-checked bus on the real broker and database."""

from __future__ import annotations

import json

import pytest
from bus_fixtures import (
    WRONG_BASIS,
    headers_of,
    note,
    publish,
    running_bus,
    topic_of,
)
from hub_contracts.binding import MAX_EVENT_BYTES, to_kafka
from hub_contracts.topics import dead_letter_topic
from hub_testing.bus import produce_raw, read_topic, until

pytestmark = pytest.mark.integration


async def test_event_is_relayed_minimised_and_handled_once(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name) as bus:
        decisions = await publish(bus.mongo, bus.tenant, [note(bus.tenant, "c1", "seen at A&E")])
        assert decisions[0].allowed
        bus.relay.wake()

        async def arrived() -> bool:
            return "c1" in await bus.notes()

        await until(arrived, what="the note at the front door")
        stored = (await bus.notes())["c1"]
        assert stored["count"] == 1
        assert stored["data"] == {
            "child_ref": "c1",
            "note": "seen at A&E",
            "detail": {"public": "p"},
        }
        assert stored["withheld"] == ["detail.private", "secret"]


async def test_withheld_fields_never_reach_the_recipient(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    canary = f"CANARY-{unique_name}"
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name) as bus:
        await publish(bus.mongo, bus.tenant, [note(bus.tenant, "c1", "n", secret=canary)])
        bus.relay.wake()

        async def arrived() -> bool:
            return "c1" in await bus.notes()

        await until(arrived, what="the note")
        # search every document of every collection of the recipient's database
        db = bus.mongo[f"{bus.tenant}__front_door"]
        for name in await db.list_collection_names():
            if name == "outbox":
                continue  # the recipient's own outbox holds only its audit/dead letters
            async for doc in db[name].find():
                assert canary not in json.dumps(doc, default=str), f"canary found in {name}"


async def test_event_without_an_accepted_basis_goes_to_the_dead_letters_not_the_consumer(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name) as bus:
        decisions = await publish(
            bus.mongo, bus.tenant, [note(bus.tenant, "c9", "n", basis=WRONG_BASIS)]
        )
        assert not decisions[0].allowed
        assert decisions[0].reason is not None
        assert decisions[0].reason.value == "basis-not-accepted"
        bus.relay.wake()
        dead = await read_topic(kafka_bootstrap, dead_letter_topic(topic_of(bus.tenant)), expect=1)
        assert len(dead) == 1
        headers = headers_of(dead[0])
        assert headers["dlq_reason"] == "basis-not-accepted"
        assert "uk-gdpr-6-1-d" in headers["dlq_detail"]
        # and nothing ever reached the recipient's topic or database
        assert await read_topic(kafka_bootstrap, topic_of(bus.tenant), expect=1, timeout_s=3) == []
        assert await bus.notes() == {}


def _valid_record(tenant: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    _, value, headers = to_kafka(note(tenant, "c1", "n"))
    return value, headers


def _with_header(
    headers: list[tuple[str, bytes]], name: str, value: bytes
) -> list[tuple[str, bytes]]:
    return [(k, value if k == name else v) for k, v in headers]


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("malformed-json", "malformed-json"),
        ("unknown-type", "unknown-type"),
        ("unknown-major", "unknown-major-version"),
        ("oversized", "oversized"),
        ("forged-tenant", "tenant-mismatch"),
        ("no-sharing-basis", "missing-sharing-basis"),
    ],
)
async def test_bad_input_lands_in_the_dead_letters_with_a_clear_reason(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str, case: str, reason: str
) -> None:
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name) as bus:
        value, headers = _valid_record(bus.tenant)
        if case == "malformed-json":
            value = b'{"child_ref": "c1", "note": '
        elif case == "unknown-type":
            headers = _with_header(headers, "ce_type", b"uk.childrenshub.no-such-thing.v1")
        elif case == "unknown-major":
            headers = _with_header(headers, "ce_type", b"uk.childrenshub.bus-test-note-recorded.v9")
        elif case == "oversized":
            value = json.dumps(
                {"child_ref": "c1", "note": "x" * MAX_EVENT_BYTES, "secret": "s"}
            ).encode()
        elif case == "forged-tenant":
            headers = _with_header(headers, "ce_tenant", b"hartlepool")
            headers = _with_header(headers, "ce_source", b"/hartlepool/police-feed")
        elif case == "no-sharing-basis":
            headers = [(k, v) for k, v in headers if not k.startswith("ce_sharing")]
        await produce_raw(kafka_bootstrap, topic_of(bus.tenant), value, headers)
        # a good event after the bad one is still handled: nothing blocks
        good_value, good_headers = _valid_record(bus.tenant)
        await produce_raw(kafka_bootstrap, topic_of(bus.tenant), good_value, good_headers)

        dead = await read_topic(kafka_bootstrap, dead_letter_topic(topic_of(bus.tenant)), expect=1)
        assert [headers_of(d)["dlq_reason"] for d in dead] == [reason]
        assert headers_of(dead[0])["dlq_recipient"] == "front-door"
        assert dead[0].value == value, "the dead letter keeps the record as received"

        async def good_arrived() -> bool:
            return "c1" in await bus.notes()

        await until(good_arrived, what="the good event after the bad one")


async def test_a_poison_message_is_retried_then_dead_lettered_without_blocking_others(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name) as bus:
        events = [note(bus.tenant, f"c{i}", "poison" if i == 2 else "fine") for i in range(5)]
        await publish(bus.mongo, bus.tenant, events)
        bus.relay.wake()

        async def others_arrived() -> bool:
            return set(await bus.notes()) == {"c0", "c1", "c3", "c4"}

        await until(others_arrived, what="every other child's event")
        dead = await read_topic(kafka_bootstrap, dead_letter_topic(topic_of(bus.tenant)), expect=1)
        assert len(dead) == 1
        assert headers_of(dead[0])["dlq_reason"] == "handler-failed"
        assert "after 3 attempts" in headers_of(dead[0])["dlq_detail"]
        assert headers_of(dead[0])["ce_subject"] == "c2"


async def test_a_redelivered_event_has_no_visible_duplicate(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name) as bus:
        event = note(bus.tenant, "c1", "once")
        _, value, headers = to_kafka(event)
        for _ in range(3):  # as a producer retrying after a lost acknowledgement would
            await produce_raw(kafka_bootstrap, topic_of(bus.tenant), value, headers)
        marker = note(bus.tenant, "c2", "after")
        _, value2, headers2 = to_kafka(marker)
        await produce_raw(kafka_bootstrap, topic_of(bus.tenant), value2, headers2)

        async def both() -> bool:
            return {"c1", "c2"} <= set(await bus.notes())

        await until(both, what="both events")
        assert (await bus.notes())["c1"]["count"] == 1


def _audit_topic(tenant: str, service: str) -> str:
    return f"{tenant}.{service}.sharing-decision-recorded.v1"


async def test_every_decision_is_published_as_an_audit_event_without_the_data(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    canary = f"CANARY-{unique_name}"
    async with running_bus(mongo_uri, kafka_bootstrap, unique_name) as bus:
        shared = note(bus.tenant, "c1", "n", secret=canary)
        refused = note(bus.tenant, "c2", "n", basis=WRONG_BASIS)
        await publish(bus.mongo, bus.tenant, [shared, refused])
        bus.relay.wake()

        at_recipient = await read_topic(
            kafka_bootstrap, _audit_topic(bus.tenant, "front-door"), expect=1
        )
        at_source = await read_topic(
            kafka_bootstrap, _audit_topic(bus.tenant, "police-feed"), expect=1
        )

    minimised = json.loads(at_recipient[0].value)
    assert minimised["event_id"] == shared.id
    assert minimised["outcome"] == "minimised"
    assert minimised["recipient"] == "front-door"
    assert minimised["purpose"] == "safeguarding-screening"
    assert minimised["lawful_basis"] == "dpa-2018-part-3"
    assert minimised["withheld_fields"] == ["detail.private", "secret"]
    assert minimised["decided_by"] == "service:front-door"
    assert canary not in at_recipient[0].value.decode()

    refusal = json.loads(at_source[0].value)
    assert refusal["event_id"] == refused.id
    assert refusal["outcome"] == "refused"
    assert refusal["reason_code"] == "basis-not-accepted"


async def test_a_decision_not_to_share_is_recorded_with_who_and_why(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    from bus_fixtures import POLICY, producer_db
    from hub_contracts.events.records import NotSharedReason
    from hub_messaging.outbox import Outbox

    async with running_bus(mongo_uri, kafka_bootstrap, unique_name) as bus:
        withheld = note(bus.tenant, "c3", "would tip off the suspect")
        db = producer_db(bus.mongo, bus.tenant)
        async with bus.mongo.start_session() as session, await session.start_transaction():
            await Outbox(POLICY, "police-feed").record_not_shared(
                db,
                session,
                withheld,
                "front-door",
                NotSharedReason.PREJUDICE_INVESTIGATION,
                decided_by="user:ds-4471",
            )
        bus.relay.wake()
        audit = await read_topic(kafka_bootstrap, _audit_topic(bus.tenant, "police-feed"), expect=1)
        assert await bus.notes() == {}, "the event itself is not published"
    record = json.loads(audit[0].value)
    assert record["outcome"] == "not-shared-by-choice"
    assert record["reason_code"] == "would-prejudice-investigation"
    assert record["decided_by"] == "user:ds-4471"
    assert record["event_id"] == withheld.id
