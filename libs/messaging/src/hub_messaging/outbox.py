"""The transactional outbox.

A state change and the events it causes are written in one MongoDB
transaction; the relay publishes them afterwards. A crash between the two
loses nothing: the relay finds the unsent rows on its next pass. A crash after
publishing but before marking rows sent re-publishes them, and consumers drop
the duplicates by event id.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import bson
from bson import ObjectId
from hub_contracts.binding import RejectReason, to_kafka
from hub_contracts.envelope import CloudEvent
from hub_contracts.events.records import NotSharedReason
from hub_contracts.policy import Decision, SharingOutcome, SharingPolicy
from hub_contracts.topics import dead_letter_topic
from opentelemetry import propagate, trace
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

from hub_messaging.documents import Document

log = logging.getLogger("hub_messaging.outbox")

OUTBOX = "outbox"


class SharingRefused(Exception):
    """The policy accepts this event's basis for no recipient; it went to the dead letters."""

    def __init__(self, event: CloudEvent, decision: Decision) -> None:
        super().__init__(f"{event.type} {event.id}: {decision.reason}: {decision.detail}")
        self.event = event
        self.decision = decision


async def ensure_collections(db: AsyncDatabase[Document], names: Sequence[str]) -> None:
    """Create collections up front: creating one inside a transaction can conflict."""
    existing = set(await db.list_collection_names())
    for name in names:
        if name not in existing:
            # another replica may create it at the same moment
            with contextlib.suppress(CollectionInvalid):
                await db.create_collection(name)


async def ensure_outbox_indexes(db: AsyncDatabase[Document]) -> None:
    await ensure_collections(db, [OUTBOX])
    await db[OUTBOX].create_index([("sent", ASCENDING), ("seq", ASCENDING)])


def current_trace_context(span: trace.Span | None = None) -> dict[str, str]:
    """W3C trace context of ``span`` (default: the current span), to record on events
    (empty if none)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=None if span is None else trace.set_span_in_context(span))
    return {k: v for k, v in carrier.items() if k in ("traceparent", "tracestate")}


def _with_trace_context(event: CloudEvent, context: dict[str, str]) -> CloudEvent:
    """Record the trace context on the event, so consumers join the same trace."""
    if event.traceparent or "traceparent" not in context:
        return event
    return event.model_copy(
        update={"traceparent": context["traceparent"], "tracestate": context.get("tracestate")}
    )


class OutgoingRecord(NamedTuple):
    """One Kafka record waiting in the outbox."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def records_row(row_id: str, records: Sequence[OutgoingRecord]) -> Document:
    """An outbox document holding Kafka records, encoded as a single BSON blob.

    One row may carry several records (a batch's audit trail, for instance):
    they are published in order and marked sent together.
    """
    # plain bytes encode as BSON binary; one blob keeps the row cheap to write and read
    blob = {"records": [{"t": r.topic, "k": r.key, "v": r.value, "h": r.headers} for r in records]}
    return {
        "_id": row_id,
        "seq": ObjectId(),
        "records": bson.encode(blob),
        "count": len(records),
        "created_at": datetime.now(UTC),
        "sent": False,
    }


def record_row(
    row_id: str, topic: str, key: bytes, value: bytes, headers: Sequence[tuple[str, bytes]]
) -> Document:
    """An outbox document holding one Kafka record."""
    return records_row(row_id, [OutgoingRecord(topic, key, value, list(headers))])


def decode_records(row: Document) -> list[OutgoingRecord]:
    """The records of an outbox row, in publication order."""
    blob = bson.decode(bytes(row["records"]))
    return [
        OutgoingRecord(r["t"], bytes(r["k"]), bytes(r["v"]), [(k, bytes(v)) for k, v in r["h"]])
        for r in blob["records"]
    ]


def event_record(
    topic: str, event: CloudEvent, extra_headers: Sequence[tuple[str, bytes]] = ()
) -> OutgoingRecord:
    """The Kafka record that carries ``event`` (binary content mode) to ``topic``."""
    key, value, headers = to_kafka(event)
    if event.traceparent:
        # W3C header too, so FastStream's telemetry middleware continues the trace
        headers.append(("traceparent", event.traceparent.encode()))
    headers.extend(extra_headers)
    return OutgoingRecord(topic, key, value, headers)


def outbox_row(
    topic: str, event: CloudEvent, extra_headers: Sequence[tuple[str, bytes]] = ()
) -> Document:
    """The outbox document that publishes ``event`` to ``topic``."""
    return records_row(f"{topic}|{event.id}", [event_record(topic, event, extra_headers)])


def dead_letter_row(
    topic: str,
    event: CloudEvent,
    reason: RejectReason,
    detail: str,
    recipient: str,
    *,
    with_data: bool = True,
    source: str | None = None,
) -> Document:
    """An outbox row sending ``event`` to the dead letters of ``topic`` with its reason.

    ``with_data=False`` keeps only the envelope: a recipient that refuses an
    event by policy must not hold its data, even in a dead letter; the data
    stays on the source topic at ``source`` (``partition:offset``).
    """
    headers = [
        ("dlq_reason", reason.value.encode()),
        ("dlq_detail", detail.encode()),
        ("dlq_recipient", recipient.encode()),
        ("dlq_source_topic", topic.encode()),
    ]
    if source is not None:
        headers.append(("dlq_source_offset", source.encode()))
    record = event_record(dead_letter_topic(topic), event, headers)
    if not with_data:
        record = record._replace(
            value=b"", headers=[*record.headers, ("dlq_payload", b"withheld-by-policy")]
        )
    return records_row(f"{record.topic}|{event.id}|{recipient}", [record])


class Outbox:
    """Adds events to a tenant database's outbox inside the caller's transaction."""

    def __init__(self, policy: SharingPolicy, producer: str) -> None:
        from hub_messaging.audit import SharingAudit  # audit builds on this module

        self.policy = policy
        self.producer = producer
        self.audit = SharingAudit(producer)

    async def add(
        self,
        db: AsyncDatabase[Document],
        session: AsyncClientSession,
        events: Sequence[CloudEvent],
    ) -> list[Decision]:
        """Queue ``events`` for publication in the caller's transaction.

        Each event is checked against the sharing policy first: one that no
        recipient accepts is queued for its dead-letter topic instead, with
        the machine-readable reason, audited, and reported in the returned
        decisions.
        """
        rows: list[Document] = []
        audit: list[OutgoingRecord] = []
        decisions: list[Decision] = []
        trace_context = current_trace_context()
        for event in events:
            if event.producer != self.producer:
                raise ValueError(f"{self.producer} cannot publish as {event.producer}")
            event = _with_trace_context(event, trace_context)
            decision = self.policy.accepted_anywhere(event)
            decisions.append(decision)
            if decision.allowed:
                rows.append(outbox_row(event.topic, event))
                continue
            assert decision.reason is not None
            log.warning(
                "event refused at source",
                extra={
                    "event_id": event.id,
                    "event_type": event.type,
                    "tenant": event.tenant,
                    "reason": decision.reason.value,
                },
            )
            rows.append(
                dead_letter_row(
                    event.topic, event, decision.reason, decision.detail, decision.recipient
                )
            )
            record = self.audit.record(
                event,
                decision.recipient,
                decision.outcome,
                decision.reason,
                detail=decision.detail,
            )
            if record is not None:
                audit.append(record)
        if audit:
            rows.append(records_row(f"audit|{uuid.uuid4()}", audit))
        if rows:
            await db[OUTBOX].insert_many(rows, session=session)
        return decisions

    async def record_not_shared(
        self,
        db: AsyncDatabase[Document],
        session: AsyncClientSession,
        event: CloudEvent,
        recipient: str,
        reason: NotSharedReason,
        decided_by: str,
        detail: str | None = None,
    ) -> None:
        """Record a person's decision not to share ``event`` with ``recipient``.

        The event itself is not published; the decision, its reason and who
        made it are, as an audit event.
        """
        record = self.audit.record(
            event,
            recipient,
            SharingOutcome.NOT_SHARED_BY_CHOICE,
            reason,
            decided_by=decided_by,
            detail=detail,
        )
        if record is not None:
            await db[OUTBOX].insert_one(
                records_row(f"audit|{uuid.uuid4()}", [record]), session=session
            )
