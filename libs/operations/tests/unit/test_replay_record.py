"""The record a replay puts back on the source topic, and its audit trail."""

from __future__ import annotations

import json

import pytest
from dlq_samples import AT, RECIPIENT, as_dead_letter, event_topic, handler_failed, inbound_refused
from hub_ops.dead_letters import DeadLetter
from hub_ops.replay import audit_document, check_operator, replay_record, replay_row_id

TENANT = "stockton"


def test_the_replayed_record_is_the_original_without_dlq_headers_saying_it_is_a_replay() -> None:
    original = handler_failed(TENANT)
    dead = as_dead_letter(original, partition=1, offset=12)
    record = replay_record(dead, "alice")
    assert record.topic == event_topic(TENANT)
    assert (record.key, record.value) == (original.key, original.value)
    assert record.headers == [
        *[(k, v) for k, v in original.headers if not k.startswith("dlq_")],
        ("hub_replay_of", f"{event_topic(TENANT)}.dlq:1:12".encode()),
        ("hub_replayed_by", b"alice"),
    ]


def test_a_replay_of_a_replay_names_only_the_latest_dead_letter() -> None:
    first = replay_record(as_dead_letter(handler_failed(TENANT), offset=3), "alice")
    # the replay failed again and was dead-lettered again
    again = first._replace(
        topic=f"{first.topic}.dlq", headers=[*first.headers, *handler_failed(TENANT).headers[-5:]]
    )
    second = replay_record(as_dead_letter(again, offset=9), "bob")
    assert [v for k, v in second.headers if k == "hub_replay_of"] == [
        f"{event_topic(TENANT)}.dlq:0:9".encode()
    ]
    assert [v for k, v in second.headers if k == "hub_replayed_by"] == [b"bob"]


def test_the_audit_says_who_replayed_what_and_why_without_the_payload() -> None:
    dead: DeadLetter = as_dead_letter(inbound_refused(TENANT), partition=0, offset=4)
    audit = audit_document(dead, by="alice", note="school 999999 added", at=AT)
    assert audit["_id"] == replay_row_id(dead) == f"replay|{dead.topic}|0:4"
    assert audit["action"] == "dlq-replay"
    assert (audit["by"], audit["note"], audit["at"]) == ("alice", "school 999999 added", AT)
    assert (audit["dlq_topic"], audit["dlq_partition"], audit["dlq_offset"]) == (dead.topic, 0, 4)
    assert audit["source_topic"] == dead.source_topic
    assert audit["source_offset"] == "0:3"
    assert audit["reason"] == "unknown-school"
    assert audit["recipient"] == "police-feed"
    assert "CANARY" not in json.dumps(audit, default=str)


def test_the_audit_names_the_event() -> None:
    dead = as_dead_letter(handler_failed(TENANT))
    audit = audit_document(dead, by="alice", note=None, at=AT)
    assert audit["event_id"] == dead.event_id
    assert audit["event_type"] == "uk.childrenshub.record-purged.v1"
    assert audit["recipient"] == RECIPIENT


@pytest.mark.parametrize("name", ["", "   ", "alice\nbob"])
def test_a_replay_needs_the_name_of_who_does_it(name: str) -> None:
    with pytest.raises(ValueError, match="--by"):
        check_operator(name)
    assert check_operator(" alice ") == "alice"
