"""Reading a dead letter's headers, and deciding whether it may be replayed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dlq_samples import (
    AT,
    INBOUND_RECIPIENT,
    RECIPIENT,
    TRACE_ID,
    TRACEPARENT,
    as_dead_letter,
    event_topic,
    handler_failed,
    inbound_refused,
    inbound_topic,
    policy_refused,
)
from hub_ops.dead_letters import (
    Position,
    parse_position,
    replayability,
    select,
    summarise,
)

TENANT = "stockton"


@pytest.mark.parametrize(("text", "expected"), [("0:42", Position(0, 42)), (" 3:0 ", (3, 0))])
def test_positions_are_partition_colon_offset(text: str, expected: Position) -> None:
    assert parse_position(text) == expected
    assert str(parse_position(text)) == f"{expected[0]}:{expected[1]}"


@pytest.mark.parametrize("text", ["42", "0:", ":4", "a:1", "0:-1", "0:1:2", ""])
def test_a_malformed_position_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="<partition>:<offset>"):
        parse_position(text)


def test_a_dead_letter_says_who_refused_what_and_where_it_came_from() -> None:
    dead = as_dead_letter(handler_failed(TENANT, "1:7"), partition=2, offset=5)
    assert dead.topic == f"{event_topic(TENANT)}.dlq"
    assert dead.ref == f"{event_topic(TENANT)}.dlq 2:5"
    assert dead.tenant == TENANT
    assert dead.timestamp == AT
    assert dead.reason == "handler-failed"
    assert dead.detail == "KeyError after 3 attempts"
    assert dead.recipient == RECIPIENT
    assert dead.source_topic == event_topic(TENANT)
    assert dead.source == f"{event_topic(TENANT)}:1:7"
    assert dead.event_type == "uk.childrenshub.record-purged.v1"
    assert dead.event_id is not None
    assert dead.trace_id == TRACE_ID


def test_its_bytes_stay_out_of_its_repr() -> None:
    dead = as_dead_letter(handler_failed(TENANT))
    assert dead.value
    assert dead.value.decode() not in repr(dead)
    assert "CANARY" not in repr(dead)


def test_the_trace_id_comes_from_traceparent_or_the_cloudevents_attribute() -> None:
    record = handler_failed(TENANT)
    only_ce = record._replace(headers=[(k, v) for k, v in record.headers if k != "traceparent"])
    assert as_dead_letter(only_ce).trace_id == TRACE_ID
    assert ("ce_traceparent", TRACEPARENT.encode()) in only_ce.headers
    malformed = record._replace(
        headers=[(k, v) for k, v in record.headers if k not in ("traceparent", "ce_traceparent")]
        + [("traceparent", b"00-" + b"0" * 32 + b"-00f067aa0ba902b7-01")]
    )
    assert as_dead_letter(malformed).trace_id is None


def test_the_last_dlq_header_wins_over_one_the_sender_forged() -> None:
    record = inbound_refused(TENANT)
    forged = record._replace(headers=[("dlq_reason", b"handler-failed"), *record.headers])
    assert as_dead_letter(forged).reason == "unknown-school"


def test_a_record_a_handler_failed_on_is_replayable() -> None:
    verdict = replayability(as_dead_letter(handler_failed(TENANT)))
    assert verdict.replayable
    assert "handler failed" in verdict.why


def test_an_agency_record_refused_at_ingest_is_replayable() -> None:
    dead = as_dead_letter(inbound_refused(TENANT))
    assert dead.source_topic == inbound_topic(TENANT)
    assert dead.recipient == INBOUND_RECIPIENT
    verdict = replayability(dead)
    assert verdict.replayable
    assert "unknown-school" in verdict.why


def test_a_policy_refusal_is_never_replayable() -> None:
    dead = as_dead_letter(policy_refused(TENANT))
    assert dead.payload_withheld
    assert dead.payload_size == 0
    verdict = replayability(dead)
    assert not verdict.replayable
    assert "sharing policy" in verdict.why
    assert "basis-not-accepted" in verdict.why


def test_a_policy_refusal_that_kept_its_data_is_not_replayable_either() -> None:
    # the producer's own dead letter of an event no recipient accepts keeps the data
    record = handler_failed(TENANT)
    record = record._replace(
        headers=[(k, b"basis-not-accepted" if k == "dlq_reason" else v) for k, v in record.headers]
    )
    verdict = replayability(as_dead_letter(record))
    assert not verdict.replayable
    assert "never pushes an event past the policy" in verdict.why


def test_an_undecodable_event_is_not_replayable() -> None:
    record = handler_failed(TENANT)
    record = record._replace(
        headers=[(k, b"malformed-json" if k == "dlq_reason" else v) for k, v in record.headers]
    )
    verdict = replayability(as_dead_letter(record))
    assert not verdict.replayable
    assert "refused again" in verdict.why


@pytest.mark.parametrize(
    ("header", "value", "why"),
    [
        ("dlq_source_topic", b"hartlepool.police-feed.record-purged.v1", "is not the topic"),
        ("dlq_recipient", b"someone-else", "not a service of the hub"),
    ],
)
def test_a_dead_letter_pointing_elsewhere_is_not_replayable(
    header: str, value: bytes, why: str
) -> None:
    record = handler_failed(TENANT)
    record = record._replace(headers=[(k, value if k == header else v) for k, v in record.headers])
    verdict = replayability(as_dead_letter(record))
    assert not verdict.replayable
    assert why in verdict.why


def test_an_empty_record_is_not_replayable() -> None:
    verdict = replayability(as_dead_letter(handler_failed(TENANT)._replace(value=b"")))
    assert not verdict.replayable
    assert "nothing to replay" in verdict.why


def test_the_summary_counts_by_topic_and_reason_with_oldest_and_newest() -> None:
    later = AT + timedelta(hours=3)
    dead = [
        as_dead_letter(handler_failed(TENANT), offset=0, at=later),
        as_dead_letter(handler_failed(TENANT), offset=1, at=AT),
        as_dead_letter(policy_refused(TENANT), offset=2, at=AT),
        as_dead_letter(inbound_refused(TENANT), offset=0, at=AT),
    ]
    rows = {(r.topic, r.reason): r for r in summarise(dead)}
    failed = rows[(f"{event_topic(TENANT)}.dlq", "handler-failed")]
    assert (failed.count, failed.oldest, failed.newest) == (2, AT, later)
    assert rows[(f"{event_topic(TENANT)}.dlq", "basis-not-accepted")].count == 1
    assert rows[(f"{inbound_topic(TENANT)}.dlq", "unknown-school")].count == 1
    assert [d.offset for d in select(dead, reason="handler-failed")] == [0, 1]
