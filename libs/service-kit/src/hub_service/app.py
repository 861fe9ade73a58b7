"""The FastAPI application every service is built on.

``create_service_app`` gives a service its lifespan (telemetry, MongoDB client,
Kafka broker with reconnect), ``/healthz``, ``/readyz`` and ``/metrics``. The
service adds its routers and subscribers through ``configure``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker
from hub_contracts.tenancy import UnknownTenantError, database_name
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from hub_service.logs import configure_logging
from hub_service.messaging import build_broker
from hub_service.readiness import KafkaProbe, MongoProbe, ProbeResult
from hub_service.settings import ServiceSettings
from hub_service.telemetry import build_tracer_provider, instrument_pymongo

log = logging.getLogger("hub_service")

Document = dict[str, object]
BROKER_RETRY_S = 2.0


@dataclass
class ServiceRuntime:
    """What a running service holds: settings, clients and its metrics registry."""

    settings: ServiceSettings
    registry: CollectorRegistry
    tracer_provider: TracerProvider
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    broker_connected: asyncio.Event = field(default_factory=asyncio.Event)

    def database(self, tenant: str) -> AsyncDatabase[Document]:
        """This service's database for ``tenant``; unknown tenants are refused."""
        if tenant not in self.settings.tenants:
            raise UnknownTenantError(tenant, "not a tenant of this deployment")
        return self.mongo[database_name(tenant, self.settings.service_name)]


Configure = Callable[[ServiceRuntime, FastAPI], None]
StartupHook = Callable[[ServiceRuntime], Awaitable[None]]


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    configure: Configure | None = None,
    on_startup: Sequence[StartupHook] = (),
) -> FastAPI:
    """Build a service's FastAPI app from its settings.

    The broker is built here (never at import time) and started in the
    lifespan; if Kafka is not reachable the service still starts, reports
    not-ready, and keeps retrying.
    """
    configure_logging(settings.service_name, settings.log_level)
    registry = CollectorRegistry()
    tracer_provider = build_tracer_provider(settings.service_name, settings.zipkin_endpoint)
    instrument_pymongo(tracer_provider)
    runtime = ServiceRuntime(
        settings=settings,
        registry=registry,
        tracer_provider=tracer_provider,
        mongo=AsyncMongoClient(
            settings.mongo_uri,
            appname=settings.service_name,
            serverSelectionTimeoutMS=int(settings.probe_timeout_s * 1000),
            tz_aware=True,
        ),
        broker=build_broker(settings, registry=registry, tracer_provider=tracer_provider),
    )
    kafka_probe = KafkaProbe(
        settings.kafka_bootstrap, settings.service_name, settings.probe_timeout_s
    )
    mongo_probe = MongoProbe(runtime.mongo, settings.probe_timeout_s)
    dependency_up = Gauge(
        "hub_dependency_up",
        "1 when the dependency answered the last readiness probe, else 0.",
        ["dependency"],
        registry=registry,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.broker_connected = asyncio.Event()
        connector = asyncio.create_task(_connect_broker(runtime), name="broker-connect")
        for hook in on_startup:
            await hook(runtime)
        log.info("service started", extra={"port": settings.port})
        try:
            yield
        finally:
            connector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connector
            await runtime.broker.stop()
            await kafka_probe.close()
            await runtime.mongo.close()
            tracer_provider.shutdown()
            log.info("service stopped")

    app = FastAPI(title=title, lifespan=lifespan, version="0.1.0")
    app.state.runtime = runtime
    ops = APIRouter(tags=["operations"])

    @ops.get("/healthz", summary="Liveness: the process answers.")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @ops.get(
        "/readyz",
        summary="Readiness: 200 only when Kafka and MongoDB answer.",
        responses={503: {"description": "A dependency is not answering."}},
    )
    async def readyz() -> JSONResponse:
        results: list[ProbeResult] = list(
            await asyncio.gather(kafka_probe.check(), mongo_probe.check())
        )
        if not runtime.broker_connected.is_set():
            results.append(ProbeResult("broker", False, "service's Kafka broker not connected yet"))
        for r in results:
            dependency_up.labels(r.dependency).set(1 if r.ok else 0)
        ready = all(r.ok for r in results)
        return JSONResponse(
            status_code=200 if ready else 503,
            content={
                "status": "ready" if ready else "not-ready",
                "service": settings.service_name,
                "checks": {r.dependency: {"ok": r.ok, "detail": r.detail} for r in results},
            },
        )

    @ops.get("/metrics", summary="Prometheus metrics.", response_class=Response)
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(ops)
    if configure is not None:
        configure(runtime, app)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider, excluded_urls="healthz,readyz,metrics"
    )
    return app


async def _connect_broker(runtime: ServiceRuntime) -> None:
    """Start the broker, retrying while Kafka is unreachable."""
    while True:
        try:
            await runtime.broker.start()
        except Exception as exc:
            log.warning(
                "kafka broker not reachable; retrying",
                extra={"error": type(exc).__name__, "retry_s": BROKER_RETRY_S},
            )
            with contextlib.suppress(Exception):
                await runtime.broker.stop()
            await asyncio.sleep(BROKER_RETRY_S)
            continue
        runtime.broker_connected.set()
        log.info("kafka broker connected")
        return
