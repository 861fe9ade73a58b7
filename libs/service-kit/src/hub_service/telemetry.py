"""OpenTelemetry setup: traces to Zipkin, FastAPI and PyMongo instrumentation."""

from __future__ import annotations

from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


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
