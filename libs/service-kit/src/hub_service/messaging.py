"""The Kafka broker factory.

Producers are safe by default: ``acks=all`` with idempotence on. Subscribers
(``hub_messaging.EventConsumer``) acknowledge only after their durable write,
never with FastStream's first-ack policy.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry

from hub_service.settings import ServiceSettings


def build_broker(
    settings: ServiceSettings,
    *,
    registry: CollectorRegistry,
    tracer_provider: TracerProvider,
) -> KafkaBroker:
    """A KafkaBroker for one service: safe producer, telemetry and metrics middleware.

    Trace context travels in Kafka headers through the telemetry middleware, so
    one safeguarding journey across services is one trace.
    """
    return KafkaBroker(
        settings.kafka_bootstrap,
        security=settings.kafka_security.faststream(),
        client_id=settings.service_name,
        acks="all",
        enable_idempotence=True,
        request_timeout_ms=10_000,
        graceful_timeout=15.0,
        middlewares=(
            KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
            KafkaPrometheusMiddleware(registry=registry, app_name=settings.service_name),
        ),
    )


def build_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """The outbox relay's producer: ``acks=all``, idempotent, small linger for batching."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        **settings.kafka_security.aiokafka(),
        client_id=f"{settings.service_name}-relay",
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=10_000,
    )
