"""Each consumed event is handled in its own trace, so one journey stays one trace.

The batch a FastStream subscriber hands over mixes events of many journeys;
the handler of each event must run as a child of the span that published it,
and what it publishes must carry that trace on (ADR 0008).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from hub_contracts.binding import from_kafka
from hub_contracts.envelope import CloudEvent
from hub_contracts.examples import example_events
from hub_contracts.policy import load_policy
from hub_messaging.consumer import Delivery, EventConsumer, HandlerContext
from hub_messaging.outbox import OUTBOX, current_trace_context, decode_records, event_record
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration
CONCERN = "uk.childrenshub.child-concern-raised.v2"
RECEIVED = "uk.childrenshub.contact-received.v1"


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


def _example(tenant: str, type_: str) -> CloudEvent:
    event = next(e for e in example_events(tenant) if e.type == type_)
    return event.model_copy(update={"id": str(uuid.uuid4()), "traceparent": None})


def _journeys(provider: TracerProvider, tenant: str, count: int) -> list[tuple[Any, CloudEvent]]:
    """``count`` concerns, each published inside its own (police) trace."""
    out = []
    for _ in range(count):
        with provider.get_tracer("police").start_as_current_span("POST /incidents") as span:
            context = current_trace_context()
        out.append(
            (
                span.get_span_context(),
                _example(tenant, CONCERN).model_copy(update=context),
            )
        )
    return out


def _records(events: Sequence[CloudEvent]) -> list[ConsumerRecord[bytes, bytes]]:
    records = []
    for offset, event in enumerate(events):
        record = event_record(event.topic, event)
        records.append(
            ConsumerRecord(
                record.topic,
                0,
                offset,
                0,
                0,
                record.key,
                record.value,
                None,
                len(record.key),
                len(record.value),
                record.headers,
            )
        )
    return records


async def _published(mongo: AsyncMongoClient[dict[str, Any]], db: str) -> list[CloudEvent]:
    rows = await mongo[db][OUTBOX].find().to_list()
    events = []
    for row in rows:
        for record in decode_records(row):
            if record.topic.endswith(".contact-received.v1"):
                events.append(from_kafka(record.value, record.headers))
    return events


def _handling(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == "handle child-concern-raised"]


async def test_each_event_is_handled_in_the_trace_that_published_it(
    mongo_uri: str, unique_name: str, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    tenant = unique_name
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    db = f"{tenant}__front_door"

    async def on_concern(delivery: Delivery, ctx: HandlerContext) -> None:
        await ctx.outbox.add(ctx.db, ctx.session, [_example(tenant, RECEIVED)])

    consumer = EventConsumer(
        mongo=mongo,
        recipient="front-door",
        tenants=[tenant],
        policy=load_policy(),
        handlers={"child-concern-raised": on_concern},
        database=lambda t: mongo[f"{t}__front_door"],
        tracer_provider=provider,
    )
    journeys = _journeys(provider, tenant, 3)
    try:
        await consumer.prepare()
        await consumer.process_batch(_records([event for _, event in journeys]))
        published = await _published(mongo, db)
    finally:
        await mongo.close()

    handled = _handling(exporter)
    assert len(handled) == 3, "one span per delivery"
    for (origin, event), span in zip(journeys, handled, strict=True):
        assert span.parent is not None
        assert span.parent.span_id == origin.span_id, "the handler is a child of the publisher"
        assert span.context.trace_id == origin.trace_id
        assert span.attributes is not None
        assert span.attributes["messaging.message.id"] == event.id
        assert "hub.subject" not in span.attributes  # ids and types only
    # what each handler published carries its own journey on
    assert len(published) == 3
    assert {e.traceparent.split("-")[1] for e in published if e.traceparent} == {
        f"{origin.trace_id:032x}" for origin, _ in journeys
    }
    assert {e.traceparent.split("-")[2] for e in published if e.traceparent} == {
        f"{s.context.span_id:016x}" for s in handled
    }


async def test_a_batch_handler_joins_a_shared_trace_and_links_mixed_ones(
    mongo_uri: str, unique_name: str, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    tenant = unique_name
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)

    async def on_concerns(deliveries: Sequence[Delivery], ctx: HandlerContext) -> None:
        return None

    consumer = EventConsumer(
        mongo=mongo,
        recipient="front-door",
        tenants=[tenant],
        policy=load_policy(),
        batch_handlers={"child-concern-raised": on_concerns},
        database=lambda t: mongo[f"{t}__front_door"],
        tracer_provider=provider,
    )
    mixed = _journeys(provider, tenant, 2)
    [(origin, first)] = _journeys(provider, tenant, 1)
    same = [first, _example(tenant, CONCERN).model_copy(update={"traceparent": first.traceparent})]
    try:
        await consumer.prepare()
        await consumer.process_batch(_records([event for _, event in mixed]))
        await consumer.process_batch(_records(same))
    finally:
        await mongo.close()

    mixed_span, same_span = _handling(exporter)
    assert mixed_span.context.trace_id not in {o.trace_id for o, _ in mixed}
    assert {link.context.span_id for link in mixed_span.links} == {o.span_id for o, _ in mixed}
    assert same_span.parent is not None
    assert same_span.parent.span_id == origin.span_id
    assert same_span.attributes is not None
    assert same_span.attributes["messaging.batch.message_count"] == 2
