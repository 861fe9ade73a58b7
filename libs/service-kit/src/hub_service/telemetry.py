"""OpenTelemetry setup: traces to Zipkin, FastAPI and PyMongo instrumentation.

Also ``continue_trace``: a person's step (rating, deciding) is a new HTTP
request, yet belongs to the journey that an earlier event started; it runs in
a span parented on the trace context stored with the case
(docs/adr/0008-one-journey-one-trace.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.util.types import AttributeValue


def build_tracer_provider(service_name: str, zipkin_endpoint: str | None) -> TracerProvider:
    """A tracer provider for one service; exports to Zipkin when an endpoint is set."""
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    if zipkin_endpoint:
        provider.add_span_processor(BatchSpanProcessor(ZipkinExporter(endpoint=zipkin_endpoint)))
    return provider


def instrument_pymongo(provider: TracerProvider) -> None:
    """Trace every MongoDB command (command names only, never documents)."""
    instrumentor = PymongoInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider, capture_statement=False)


@contextmanager
def continue_trace(
    tracer_provider: TracerProvider,
    name: str,
    origin: Mapping[str, str] | None,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> Iterator[trace.Span]:
    """Run a step as the current span, a child of ``origin`` (W3C ``traceparent`` and
    optional ``tracestate``, as stored with the case) and linked to the current span
    (the HTTP request), so the step and what it publishes join the journey's trace.

    Without a valid ``origin`` the span is simply a child of the current span.
    """
    parent: Context | None = None
    links: list[trace.Link] = []
    if origin and origin.get("traceparent"):
        extracted = propagate.extract(dict(origin), context=Context())
        if trace.get_current_span(extracted).get_span_context().is_valid:
            parent = extracted
            request = trace.get_current_span().get_span_context()
            links = [trace.Link(request)] if request.is_valid else []
    tracer = tracer_provider.get_tracer("hub_service.telemetry")
    with tracer.start_as_current_span(
        name, context=parent, kind=trace.SpanKind.INTERNAL, attributes=attributes, links=links
    ) as span:
        yield span
