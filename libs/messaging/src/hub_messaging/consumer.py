"""Policy-checked, idempotent consumers.

A FastStream batch subscriber hands each batch of records to
``EventConsumer.process_batch``. For each record it decodes the CloudEvent
(``hub_contracts.binding``), asks the sharing policy whether this recipient
may see it and which fields, removes the withheld fields, and skips event ids
already processed. Then, per tenant, one MongoDB transaction records the
processed ids, runs the handlers and queues dead letters (and anything the
handlers publish) in the outbox. Offsets are committed only after that
transaction (``AckPolicy.NACK_ON_ERROR``): a crash before it means
redelivery, and the processed-id index means no visible duplicate.

A batch whose transaction fails for any reason but an unreachable database
(a handler's error, a transaction too large for the storage engine, a
document the server refuses) is split in halves, and the halves again, until
the failing event is alone; that one is retried a bounded number of times
with backoff and then dead-lettered (``handler-failed``, with the error class
and a short detail), so a poison message never blocks other children's
events. An unreachable database is different: nothing can be written, so the
batch is left on Kafka to be redelivered (``/readyz`` and the stalled-partition
metrics show it). A dead-lettered event replayed by an operator (header
``hub_replay_of``, see ``hubctl dlq replay``) is handled afresh, once.

Each event is handled inside a span whose parent is the event's own
``traceparent`` (not the batch's), so whatever a handler publishes continues
the trace of the event it reacts to: one safeguarding journey is one trace
(docs/adr/0008-one-journey-one-trace.md).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter as Counter_
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from hub_contracts.binding import RejectedEvent, RejectReason, from_kafka
from hub_contracts.envelope import REGISTRY, CloudEvent
from hub_contracts.policy import SharingOutcome, SharingPolicy, minimise, withheld_paths
from hub_contracts.tenancy import UnknownTenantError, validate_tenant_id
from hub_contracts.topics import dead_letter_topic, topic_name
from hub_contracts.upcasters import UpcastError, latest_major, upcast
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, SpanKind, TracerProvider
from prometheus_client import CollectorRegistry, Counter, Histogram
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from hub_messaging.audit import SharingAudit
from hub_messaging.consent import (
    CONSENTS,
    RECEIPTS,
    WithdrawalHook,
    consent_handlers,
    consent_problem,
    load_consents,
    note_receipts,
    relies_on_consent,
)
from hub_messaging.documents import Document
from hub_messaging.failures import database_unreachable, describe_failure, run_transaction
from hub_messaging.outbox import (
    OUTBOX,
    Outbox,
    OutgoingRecord,
    dead_letter_row,
    ensure_collections,
    ensure_outbox_indexes,
    record_row,
    records_row,
)

log = logging.getLogger("hub_messaging.consumer")
PROCESSED = "processed_events"
REPLAY_HEADER = "hub_replay_of"
"""Set on a dead letter an operator replays: ``<dlq topic>:<partition>:<offset>``."""
MAX_SPAN_LINKS = 64
"""A batch handler's span links to at most this many events' traces."""


@dataclass(frozen=True)
class Delivery:
    """An event as this recipient may see it."""

    event: CloudEvent
    """The event, its ``data`` holding only the fields the policy lets this recipient see."""
    outcome: SharingOutcome
    withheld: tuple[str, ...]
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class HandlerContext:
    """What a handler may touch: its tenant's database, in the batch's transaction."""

    tenant: str
    db: AsyncDatabase[Document]
    session: AsyncClientSession
    outbox: Outbox


Handler = Callable[[Delivery, HandlerContext], Awaitable[None]]
"""Handles one delivery."""
BatchHandler = Callable[[Sequence[Delivery], HandlerContext], Awaitable[None]]
"""Handles consecutive deliveries of one event type at once (e.g. one ``insert_many``)."""


@dataclass
class _Item:
    record: ConsumerRecord[bytes, bytes]
    tenant: str
    key: str
    delivery: Delivery | None = None
    dead_letter: Document | None = None
    audit: OutgoingRecord | None = None
    replay: bool = False
    """An operator's replay of a dead letter: handled afresh if this recipient dead-lettered it."""
    replaces: bool = False
    """A replay whose earlier, dead-lettered processing row this transaction replaces."""


class EventConsumer:
    """Consumes the events one service (the recipient) handles, for every tenant."""

    def __init__(
        self,
        *,
        mongo: AsyncMongoClient[Document],
        recipient: str,
        tenants: Sequence[str],
        policy: SharingPolicy,
        handlers: dict[str, Handler] | None = None,
        batch_handlers: dict[str, BatchHandler] | None = None,
        database: Callable[[str], AsyncDatabase[Document]],
        registry: CollectorRegistry | None = None,
        audit: bool = True,
        majors: dict[str, int] | None = None,
        on_consent_withdrawn: Sequence[WithdrawalHook] = (),
        max_attempts: int = 3,
        backoff_s: float = 0.2,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self.mongo = mongo
        self.recipient = recipient
        self.tenants = tuple(tenants)
        self.policy = policy
        self.tracer = trace.get_tracer("hub_messaging.consumer", tracer_provider=tracer_provider)
        self.batch_handlers: dict[str, BatchHandler] = dict(batch_handlers or {})
        self._traced_per_delivery: set[str] = set()
        """Event names whose handler opens one span per delivery (the others: one per run)."""
        for name, handler in (handlers or {}).items():
            self.batch_handlers[name] = _one_by_one(handler, self._delivery_span)
            self._traced_per_delivery.add(name)
        # every holder the policy sends consent records to keeps them and acts on withdrawal
        for name, consent_handler in consent_handlers(on_consent_withdrawn).items():
            if self.batch_handlers and policy.rules_for(name, latest_major(name), recipient):
                self.batch_handlers.setdefault(name, consent_handler)
        self.database = database
        self.audit = SharingAudit(recipient) if audit else None
        self.majors = {
            name: (majors or {}).get(name) or latest_major(name) for name in self.batch_handlers
        }
        """The major version each handler is written for; older events are upcast to it."""
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.outbox = Outbox(policy, recipient)
        self.after_commit: list[Callable[[], None]] = []
        self.handler_collections: tuple[str, ...] = ()
        """The handlers' own collections, created by ``prepare`` at start-up."""
        registry = registry or CollectorRegistry()
        self.consumed = Counter(
            "hub_events_consumed",
            "Events consumed, by type and sharing outcome.",
            ["recipient", "event_type", "outcome"],
            registry=registry,
        )
        self.rejected = Counter(
            "hub_events_rejected",
            "Events refused or dead-lettered, by machine-readable reason.",
            ["recipient", "reason"],
            registry=registry,
        )
        self.duplicates = Counter(
            "hub_events_duplicate",
            "Redelivered events skipped as already processed.",
            ["recipient"],
            registry=registry,
        )
        self.group_id = recipient
        """The consumer group (set by ``subscribe``)."""
        self.handling = batch_handling_histogram(registry)

    # -- subscription -------------------------------------------------------------
    def topics(self) -> list[str]:
        """Every topic carrying an event this recipient handles, for every tenant."""
        names: set[str] = set()
        for model in REGISTRY.values():
            wanted = self.majors.get(model.event_name)
            if wanted is None or model.major > wanted:
                continue
            for tenant in self.tenants:
                for producer in model.producers:
                    names.add(topic_name(tenant, producer, model.event_name, model.major))
        return sorted(names)

    def subscribe(
        self, broker: KafkaBroker, *, group_id: str | None = None, max_records: int = 500
    ) -> Any:
        """Register the batch subscriber on ``broker``; offsets commit after the transaction."""
        self.group_id = group_id or self.recipient

        async def raw(message: Any) -> Any:  # keep the bytes: decoding is ours, with reasons
            return None

        subscriber = broker.subscriber(
            *self.topics(),
            group_id=self.group_id,
            batch=True,
            max_records=max_records,
            batch_timeout_ms=50,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            decoder=raw,
        )

        @subscriber
        async def handle(message: KafkaMessage) -> None:
            records = message.raw_message
            if not isinstance(records, tuple | list):
                records = (records,)
            await self.process_batch(records)

        return subscriber

    # -- processing -----------------------------------------------------------------
    def _classify(self, record: ConsumerRecord[bytes, bytes]) -> _Item:
        topic_tenant = record.topic.split(".", 1)[0]
        try:
            validate_tenant_id(topic_tenant)
        except UnknownTenantError:
            topic_tenant = self.tenants[0]
        position_key = f"{record.topic}:{record.partition}:{record.offset}"
        try:
            event = from_kafka(
                record.value, record.headers, topic_tenant=topic_tenant, tenants=self.tenants
            )
        except RejectedEvent as rejected:
            item = _Item(record, topic_tenant, position_key)
            item.dead_letter = _raw_dead_letter(
                record, rejected.reason, rejected.detail, self.recipient
            )
            self.rejected.labels(self.recipient, rejected.reason.value).inc()
            return item
        item = _Item(record, event.tenant, f"{event.source}|{event.id}")
        item.replay = any(k == REPLAY_HEADER for k, _ in record.headers)
        wanted = self.majors.get(event.event_name, event.major)
        if event.major != wanted:
            try:
                event = upcast(event, wanted)
            except UpcastError as exc:
                item.dead_letter = _raw_dead_letter(
                    record, RejectReason.UNKNOWN_MAJOR_VERSION, str(exc), self.recipient
                )
                self.rejected.labels(self.recipient, RejectReason.UNKNOWN_MAJOR_VERSION.value).inc()
                return item
        decision = self.policy.decide(event, self.recipient)
        if not decision.allowed:
            assert decision.reason is not None
            item.dead_letter = dead_letter_row(
                record.topic,
                event,
                decision.reason,
                decision.detail,
                self.recipient,
                with_data=False,
                source=f"{record.partition}:{record.offset}",
            )
            self.rejected.labels(self.recipient, decision.reason.value).inc()
            if self.audit:
                item.audit = self.audit.record(
                    event,
                    self.recipient,
                    decision.outcome,
                    decision.reason,
                    detail=decision.detail,
                )
            return item
        withheld = tuple(withheld_paths(event.data, decision.visible_fields))
        visible = event.model_copy(update={"data": minimise(event.data, decision.visible_fields)})
        item.delivery = Delivery(
            visible, decision.outcome, withheld, record.topic, record.partition, record.offset
        )
        if self.audit:
            item.audit = self.audit.record(event, self.recipient, decision.outcome, None, withheld)
        return item

    async def process_batch(self, records: Iterable[ConsumerRecord[bytes, bytes]]) -> None:
        """Handle a batch; returns only once every record is durably dealt with."""
        with self.handling.labels(self.group_id).time():
            items = [self._classify(r) for r in records]
            by_tenant: dict[str, list[_Item]] = {}
            for item in items:
                by_tenant.setdefault(item.tenant, []).append(item)
            try:
                for tenant, group in by_tenant.items():
                    await self._commit_group(tenant, group)
            except PyMongoError as exc:
                # the database is away: back off, then let the batch be redelivered
                log.warning(
                    "batch not stored; will be redelivered", extra={"error": type(exc).__name__}
                )
                await asyncio.sleep(self.backoff_s * 5)
                raise
        for callback in self.after_commit:
            callback()

    async def _commit_group(self, tenant: str, group: list[_Item]) -> None:
        db = self.database(tenant)
        keys = [i.key for i in group]
        done = {
            d["_id"]: bool(d.get("dead_lettered"))
            async for d in db[PROCESSED].find({"_id": {"$in": keys}}, {"dead_lettered": 1})
        }
        fresh: list[_Item] = []
        seen: set[str] = set()
        for item in group:
            again = item.key in done and not (item.replay and done[item.key])
            if again or item.key in seen:
                self.duplicates.labels(self.recipient).inc()
                continue
            item.replaces = item.key in done
            seen.add(item.key)
            fresh.append(item)
        if fresh:
            await self._commit_isolating(db, tenant, fresh)

    async def _commit_isolating(
        self, db: AsyncDatabase[Document], tenant: str, items: list[_Item]
    ) -> None:
        """Commit ``items`` in one transaction; if that fails, bisect down to the failing event.

        The halves that commit are done (their processed ids hold if the batch
        is redelivered); an event failing alone is retried, then dead-lettered.
        An unreachable database is raised: the batch stays on Kafka.
        """
        try:
            await self._transaction(db, tenant, items)
            return
        except Exception as exc:
            if database_unreachable(exc):
                raise
            if len(items) == 1:
                await self._retry_alone(db, tenant, items[0], exc)
                return
            log.warning(
                "batch failed; splitting it to isolate the failing event",
                extra={"size": len(items), "tenant": tenant, "error": type(exc).__name__},
            )
        middle = len(items) // 2
        await self._commit_isolating(db, tenant, items[:middle])
        await self._commit_isolating(db, tenant, items[middle:])

    async def prepare(self, collections: Sequence[str] = ()) -> None:
        """Create the bookkeeping (and the handlers') collections of every tenant database."""
        for tenant in self.tenants:
            db = self.database(tenant)
            await ensure_collections(db, [PROCESSED, CONSENTS, RECEIPTS, *collections])
            await db[RECEIPTS].create_index("consent_id")
            await ensure_outbox_indexes(db)

    async def _transaction(
        self, db: AsyncDatabase[Document], tenant: str, items: list[_Item]
    ) -> None:
        async def apply(session: AsyncClientSession) -> None:
            await self._apply(db, tenant, session, items)

        # retried as a whole, a bounded number of times, on a transient error (a write conflict)
        await run_transaction(self.mongo, apply)

    async def _apply(
        self,
        db: AsyncDatabase[Document],
        tenant: str,
        session: AsyncClientSession,
        items: list[_Item],
    ) -> None:
        now = datetime.now(UTC)
        replaced = [i.key for i in items if i.replaces]
        if replaced:  # replays of events this recipient dead-lettered: processed afresh
            await db[PROCESSED].delete_many(
                {"_id": {"$in": replaced}, "dead_lettered": True}, session=session
            )
        await db[PROCESSED].insert_many(
            [
                {
                    "_id": i.key,
                    "at": now,
                    "recipient": self.recipient,
                    "dead_lettered": i.dead_letter is not None,
                }
                for i in items
            ],
            session=session,
        )
        context = HandlerContext(tenant, db, session, self.outbox)
        await self._check_consents(context, items)
        rows: list[Document] = []
        audit: list[OutgoingRecord] = []
        run: list[Delivery] = []  # consecutive deliveries of one type, in partition order
        for item in items:
            if item.delivery is not None:
                if run and run[0].event.event_name != item.delivery.event.event_name:
                    await self._handle_run(run, context)
                    run = []
                run.append(item.delivery)
            if item.dead_letter is not None:
                rows.append(item.dead_letter)
            if item.audit is not None:
                audit.append(item.audit)
        if run:
            await self._handle_run(run, context)
        if audit:  # the batch's audit trail travels in one outbox row
            rows.append(records_row(f"audit|{uuid.uuid4()}", audit))
        if rows:
            await db[OUTBOX].insert_many(rows, session=session)

    async def _check_consents(self, ctx: HandlerContext, items: list[_Item]) -> None:
        """Refuse deliveries whose consent does not hold; note the ones it covers."""
        relying = [i for i in items if i.delivery is not None and relies_on_consent(i.delivery)]
        if not relying:
            return
        refs = [i.delivery.event.sharing.consent_ref or "" for i in relying if i.delivery]
        consents = await load_consents(ctx.db, refs, ctx.session)
        covered: list[Delivery] = []
        for item in relying:
            assert item.delivery is not None
            event = item.delivery.event
            problem = consent_problem(
                consents.get(event.sharing.consent_ref or ""), item.delivery, self.recipient
            )
            if problem is None:
                covered.append(item.delivery)
                continue
            reason = RejectReason.CONSENT_NOT_VALID
            item.dead_letter = dead_letter_row(
                item.record.topic,
                event,
                reason,
                problem,
                self.recipient,
                with_data=False,
                source=f"{item.record.partition}:{item.record.offset}",
            )
            item.audit = (
                self.audit.record(
                    event, self.recipient, SharingOutcome.REFUSED, reason, detail=problem
                )
                if self.audit
                else None
            )
            item.delivery = None
            self.rejected.labels(self.recipient, reason.value).inc()
        await note_receipts(ctx, covered)

    def _delivery_span(self, delivery: Delivery) -> trace.Span:
        return delivery_span(self.tracer, delivery, self.recipient)

    def _run_span(self, run: Sequence[Delivery]) -> trace.Span:
        """A span for a batch handler's run: inside the events' trace when they share one,
        else in the batch's own trace, linked to each event's."""
        first = run[0]
        traces = {_trace_id(d.event) for d in run}
        parent = _event_context(first.event) if len(traces) == 1 else None
        links = [] if parent is not None else _event_links(run)
        return self.tracer.start_span(
            f"handle {first.event.event_name}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes=_span_attributes(first, self.recipient, run_length=len(run)),
            links=links,
        )

    async def _handle_run(self, run: list[Delivery], context: HandlerContext) -> None:
        name = run[0].event.event_name
        handler = self.batch_handlers[name]
        if name in self._traced_per_delivery:
            await handler(run, context)  # a span per delivery, opened by _one_by_one
        else:
            with trace.use_span(self._run_span(run), end_on_exit=True):
                await handler(run, context)
        outcomes = Counter_(d.outcome.value for d in run)
        for outcome, count in outcomes.items():
            self.consumed.labels(self.recipient, run[0].event.type, outcome).inc(count)

    async def _retry_alone(
        self, db: AsyncDatabase[Document], tenant: str, item: _Item, first: Exception
    ) -> None:
        """Retry one failing event with backoff; then dead-letter it and go on."""
        last = first
        for attempt in range(1, self.max_attempts):
            log.warning(
                "event failed; retrying",
                extra={"event_id": item.key, "attempt": attempt, "error": type(last).__name__},
            )
            await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
            if await db[PROCESSED].find_one({"_id": item.key, "dead_lettered": {"$ne": True}}):
                return  # applied meanwhile (a replica, before a rebalance): nothing left to do
            try:
                await self._transaction(db, tenant, [item])
                return
            except Exception as exc:
                if database_unreachable(exc):
                    raise
                last = exc
        detail = f"{describe_failure(last)} (after {self.max_attempts} attempts)"
        if item.delivery is not None:
            event = item.delivery.event
            log_extra = {"event_id": event.id, "event_type": event.type}
        else:
            log_extra = {"event_id": item.key}
        item.delivery = None
        item.dead_letter = _raw_dead_letter(
            item.record, RejectReason.HANDLER_FAILED, detail, self.recipient
        )
        self.rejected.labels(self.recipient, RejectReason.HANDLER_FAILED.value).inc()
        log.error(
            "event dead-lettered",
            extra={
                **log_extra,
                "tenant": tenant,
                "reason": RejectReason.HANDLER_FAILED.value,
                "error": type(last).__name__,
            },
        )
        await self._transaction(db, tenant, [item])


def batch_handling_histogram(registry: CollectorRegistry) -> Histogram:
    """``hub_batch_handling_seconds{group}``: the time to handle one consumed batch.

    One per registry, shared by a service's consumers and its inbound ingest.
    """
    existing = getattr(registry, "_names_to_collectors", {}).get("hub_batch_handling_seconds")
    if isinstance(existing, Histogram):
        return existing
    return Histogram(
        "hub_batch_handling_seconds",
        "Time to handle one consumed batch, from receipt to its durable write.",
        ["group"],
        registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    )


def delivery_span(tracer: trace.Tracer, delivery: Delivery, recipient: str) -> trace.Span:
    """A span for handling one delivery, child of the span that published the event and
    linked to the current span (the batch's, or a batch handler's run).

    Started as the current span by the caller; everything the handler
    queues in the outbox then carries this span's ``traceparent``. Batch
    handlers that keep one trace per event (ADR 0008) open one per delivery.
    """
    event = delivery.event
    return tracer.start_span(
        f"handle {event.event_name}",
        context=_event_context(event),
        kind=SpanKind.CONSUMER,
        attributes=_span_attributes(delivery, recipient, run_length=1),
        links=_links([trace.get_current_span()]),
    )


def _span_attributes(delivery: Delivery, recipient: str, *, run_length: int) -> dict[str, Any]:
    # ids, types and tenant only: never the subject or the data
    event = delivery.event
    attributes: dict[str, Any] = {
        "messaging.system": "kafka",
        "messaging.operation": "process",
        "messaging.destination.name": delivery.topic,
        "messaging.consumer.group.name": recipient,
        "hub.recipient": recipient,
        "hub.tenant": event.tenant,
        "hub.event_type": event.type,
        "hub.sharing_outcome": delivery.outcome.value,
    }
    if run_length == 1:
        attributes["messaging.message.id"] = event.id
        attributes["messaging.kafka.message.offset"] = delivery.offset
        attributes["messaging.kafka.destination.partition"] = delivery.partition
    else:
        attributes["messaging.batch.message_count"] = run_length
    return attributes


def _one_by_one(handler: Handler, span: Callable[[Delivery], trace.Span]) -> BatchHandler:
    async def each(deliveries: Sequence[Delivery], context: HandlerContext) -> None:
        for delivery in deliveries:
            with trace.use_span(span(delivery), end_on_exit=True):
                await handler(delivery, context)

    return each


def _event_context(event: CloudEvent) -> Context | None:
    """The trace context an event carries (``None``: it carries none, stay in the current one)."""
    if not event.traceparent:
        return None
    carrier = {"traceparent": event.traceparent}
    if event.tracestate:
        carrier["tracestate"] = event.tracestate
    context = propagate.extract(carrier, context=Context())
    if not trace.get_current_span(context).get_span_context().is_valid:
        return None  # malformed: not worth refusing the event for
    return context


def _trace_id(event: CloudEvent) -> int | None:
    context = _event_context(event)
    return None if context is None else trace.get_current_span(context).get_span_context().trace_id


def _links(spans: Sequence[trace.Span]) -> list[Link]:
    return [Link(s.get_span_context()) for s in spans if s.get_span_context().is_valid]


def _event_links(run: Sequence[Delivery]) -> list[Link]:
    spans = []
    for delivery in run[:MAX_SPAN_LINKS]:
        context = _event_context(delivery.event)
        if context is not None:
            spans.append(trace.get_current_span(context))
    return _links(spans)


def _raw_dead_letter(
    record: ConsumerRecord[bytes, bytes], reason: RejectReason, detail: str, recipient: str
) -> Document:
    """Dead-letter a record as received (it may not even be a CloudEvent)."""
    headers = [(k, v or b"") for k, v in record.headers]
    headers += [
        ("dlq_reason", reason.value.encode()),
        ("dlq_detail", detail.encode()),
        ("dlq_recipient", recipient.encode()),
        ("dlq_source_topic", record.topic.encode()),
        ("dlq_source_offset", f"{record.partition}:{record.offset}".encode()),
    ]
    topic = dead_letter_topic(record.topic)
    return record_row(
        f"{topic}|{record.topic}:{record.partition}:{record.offset}",
        topic,
        record.key or b"",
        record.value or b"",
        headers,
    )
