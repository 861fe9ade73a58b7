"""Dead letters as the services make them, for the operations tests.

Built with the bus's own functions (``dead_letter_row``), so the tests see
exactly the headers the services write. Every payload carries ``CANARY`` and
every key ``SUBJECT``: neither may ever appear in what ``hubctl`` prints.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from hub_contracts.binding import RejectReason
from hub_contracts.envelope import CloudEvent
from hub_contracts.events.records import PurgeReason, RecordPurged
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_contracts.topics import dead_letter_topic
from hub_messaging.outbox import OutgoingRecord, dead_letter_row, decode_records
from hub_ops.dead_letters import DeadLetter

CANARY = "CANARY-payload-personal-data"
SUBJECT = "child-subject-4711"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
RECIPIENT = "front-door"
INBOUND_RECIPIENT = "police-feed"
AT = datetime(2026, 3, 4, 10, 15, 0, tzinfo=UTC)


def event_topic(tenant: str) -> str:
    return f"{tenant}.police-feed.record-purged.v1"


def inbound_topic(tenant: str) -> str:
    return f"{tenant}.police-feed-inbound.police-incident.v1"


def event(tenant: str) -> CloudEvent:
    """A contract event whose payload holds the canary."""
    return CloudEvent.new(
        tenant=tenant,
        producer="police-feed",
        subject=SUBJECT,
        payload=RecordPurged(
            purge_id="purge-1",
            record_kinds=(CANARY,),
            reason=PurgeReason.RECORDED_IN_ERROR,
            purged_at=AT,
            authorised_by="stockton-manager",
        ),
        sharing=SharingBasis(
            lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
        ),
    ).model_copy(update={"traceparent": TRACEPARENT})


def _only(row: dict[str, Any]) -> OutgoingRecord:
    (record,) = decode_records(row)
    return record


def handler_failed(tenant: str, source_offset: str = "1:7") -> OutgoingRecord:
    """What a consumer dead-letters when its handler keeps failing: the whole record."""
    return _only(
        dead_letter_row(
            event_topic(tenant),
            event(tenant),
            RejectReason.HANDLER_FAILED,
            "KeyError after 3 attempts",
            RECIPIENT,
            source=source_offset,
        )
    )


def policy_refused(tenant: str, source_offset: str = "2:9") -> OutgoingRecord:
    """What a recipient dead-letters when the policy refuses it: the envelope only."""
    return _only(
        dead_letter_row(
            event_topic(tenant),
            event(tenant),
            RejectReason.BASIS_NOT_ACCEPTED,
            "vital-interests is not accepted for front-door",
            RECIPIENT,
            with_data=False,
            source=source_offset,
        )
    )


def inbound_refused(tenant: str, source_offset: str = "0:3") -> OutgoingRecord:
    """What agency ingest dead-letters: the agency's raw record, as it sent it."""
    topic = inbound_topic(tenant)
    return OutgoingRecord(
        dead_letter_topic(topic),
        SUBJECT.encode(),
        f'{{"record_id": "inc-1", "summary": "{CANARY}"}}'.encode(),
        [
            ("x-agency-note", CANARY.encode()),
            ("dlq_reason", b"unknown-school"),
            ("dlq_detail", b"no school with URN 999999"),
            ("dlq_recipient", INBOUND_RECIPIENT.encode()),
            ("dlq_source_topic", topic.encode()),
            ("dlq_source_offset", source_offset.encode()),
        ],
    )


def as_dead_letter(
    record: OutgoingRecord, partition: int = 0, offset: int = 0, at: datetime = AT
) -> DeadLetter:
    """The dead letter as read back from Kafka."""
    consumed = SimpleNamespace(
        topic=record.topic,
        partition=partition,
        offset=offset,
        timestamp=int(at.timestamp() * 1000),
        key=record.key,
        value=record.value,
        headers=list(record.headers),
    )
    return DeadLetter.from_record(consumed)


def without_personal_data(text: str) -> bool:
    return CANARY not in text and SUBJECT not in text
