"""A person's step (a new HTTP request) joins the journey's trace stored with the case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hub_service.telemetry import continue_trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

ORIGIN = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}


@pytest.fixture
def provider() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


def test_the_step_is_a_child_of_the_origin_and_linked_to_the_request(
    provider: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    tracer_provider, exporter = provider
    http = tracer_provider.get_tracer("http")
    with (
        http.start_as_current_span("POST /rating") as request,
        continue_trace(tracer_provider, "rate contact", ORIGIN, {"hub.tenant": "t"}),
    ):
        pass
    step = next(s for s in exporter.get_finished_spans() if s.name == "rate contact")
    assert f"{step.context.trace_id:032x}" == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert step.parent is not None
    assert f"{step.parent.span_id:016x}" == "00f067aa0ba902b7"
    assert [link.context.span_id for link in step.links] == [request.get_span_context().span_id]


@pytest.mark.parametrize("origin", [None, {}, {"traceparent": "not-a-traceparent"}])
def test_without_a_valid_origin_the_step_stays_in_the_request(
    provider: tuple[TracerProvider, InMemorySpanExporter], origin: dict[str, str] | None
) -> None:
    tracer_provider, exporter = provider
    http = tracer_provider.get_tracer("http")
    with (
        http.start_as_current_span("POST /rating") as request,
        continue_trace(tracer_provider, "rate contact", origin),
    ):
        pass
    step = next(s for s in exporter.get_finished_spans() if s.name == "rate contact")
    assert step.parent is not None
    assert step.parent.span_id == request.get_span_context().span_id
    assert step.context.trace_id == request.get_span_context().trace_id
    assert not step.links
