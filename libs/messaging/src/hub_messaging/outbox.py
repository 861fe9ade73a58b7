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
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bson import Binary, ObjectId
from hub_contracts.binding import RejectReason, to_kafka
from hub_contracts.envelope import CloudEvent
from hub_contracts.policy import Decision, SharingPolicy
from hub_contracts.topics import dead_letter_topic
from opentelemetry import propagate
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

log = logging.getLogger("hub_messaging.outbox")

OUTBOX = "outbox"
Document = dict[str, Any]


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


def _with_trace_context(event: CloudEvent) -> CloudEvent:
    """Record the current trace context on the event, so consumers join the same trace."""
    if event.traceparent:
        return event
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    if "traceparent" not in carrier:
        return event
    return event.model_copy(
        update={"traceparent": carrier["traceparent"], "tracestate": carrier.get("tracestate")}
    )


def outbox_row(
    topic: str, event: CloudEvent, extra_headers: Sequence[tuple[str, bytes]] = ()
) -> Document:
    """The outbox document that publishes ``event`` to ``topic``."""
    key, value, headers = to_kafka(event)
    if event.traceparent:
        # W3C header too, so FastStream's telemetry middleware continues the trace
        headers.append(("traceparent", event.traceparent.encode()))
    headers.extend(extra_headers)
    return {
        "_id": f"{topic}|{event.id}",
        "seq": ObjectId(),
        "topic": topic,
        "key": Binary(key),
        "value": Binary(value),
        "headers": [[k, Binary(v)] for k, v in headers],
        "event_id": event.id,
        "event_type": event.type,
        "tenant": event.tenant,
        "created_at": datetime.now(UTC),
        "sent": False,
    }


def dead_letter_row(
    topic: str,
    event: CloudEvent,
    reason: RejectReason,
    detail: str,
    recipient: str,
) -> Document:
    """An outbox row sending ``event`` to the dead letters of ``topic`` with its reason."""
    return outbox_row(
        dead_letter_topic(topic),
        event,
        (
            ("dlq_reason", reason.value.encode()),
            ("dlq_detail", detail.encode()),
            ("dlq_recipient", recipient.encode()),
            ("dlq_source_topic", topic.encode()),
        ),
    )


class Outbox:
    """Adds events to a tenant database's outbox inside the caller's transaction."""

    def __init__(self, policy: SharingPolicy, producer: str) -> None:
        self.policy = policy
        self.producer = producer

    async def add(
        self,
        db: AsyncDatabase[Document],
        session: AsyncClientSession,
        events: Sequence[CloudEvent],
    ) -> list[Decision]:
        """Queue ``events`` for publication in the caller's transaction.

        Each event is checked against the sharing policy first: one that no
        recipient accepts is queued for its dead-letter topic instead, with
        the machine-readable reason, and reported in the returned decisions.
        """
        rows: list[Document] = []
        decisions: list[Decision] = []
        for event in events:
            if event.producer != self.producer:
                raise ValueError(f"{self.producer} cannot publish as {event.producer}")
            event = _with_trace_context(event)
            decision = self.policy.accepted_anywhere(event)
            decisions.append(decision)
            if decision.allowed:
                rows.append(outbox_row(event.topic, event))
            else:
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
                    dead_letter_row(event.topic, event, decision.reason, decision.detail, "*")
                )
        if rows:
            await db[OUTBOX].insert_many(rows, session=session)
        return decisions
