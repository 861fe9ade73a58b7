"""The FastAPI application every service is built on.

``create_service_app`` gives a service its lifespan (telemetry, MongoDB client,
Kafka broker with reconnect), ``/healthz``, ``/readyz``, ``/statusz`` (is work
flowing: consumer lag, stalled partitions, outbox age) and ``/metrics``. The
service adds its routers and subscribers through ``configure``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker
from hub_contracts.envelope import CloudEvent
from hub_contracts.policy import Decision, SharingPolicy, load_policy
from hub_contracts.tenancy import UnknownTenantError, database_name
from hub_contracts.topics import dead_letter_topic
from hub_messaging.consent import WithdrawalHook
from hub_messaging.consumer import BatchHandler, EventConsumer, Handler
from hub_messaging.documents import Document
from hub_messaging.failures import TRANSACTION_ATTEMPTS, run_transaction
from hub_messaging.outbox import Outbox
from hub_messaging.relay import OutboxRelay
from hub_messaging.topics import ensure_topics
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_service.logs import configure_logging
from hub_service.messaging import build_broker, build_producer
from hub_service.problems import install_problem_handlers
from hub_service.progress import ProgressMonitor
from hub_service.readiness import KafkaProbe, MongoProbe, ProbeResult
from hub_service.settings import ServiceSettings, missing_secrets
from hub_service.telemetry import build_tracer_provider, instrument_pymongo

log = logging.getLogger("hub_service")

Database = AsyncDatabase[Document]
"""One tenant's database of one service."""
T = TypeVar("T")
BROKER_RETRY_S = 2.0


@dataclass
class ServiceRuntime:
    """What a running service holds: settings, clients, its bus and its metrics registry."""

    settings: ServiceSettings
    registry: CollectorRegistry
    tracer_provider: TracerProvider
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    broker_connected: asyncio.Event = field(default_factory=asyncio.Event)
    consumers: list[EventConsumer] = field(default_factory=list)
    relay: OutboxRelay | None = None
    sharing_policy: SharingPolicy | None = None
    """The policy in force; the committed contracts policy unless given."""
    inbound_topics: list[str] = field(default_factory=list)
    """Topics agency systems publish to directly (created at start-up, with dead letters)."""
    consumer_groups: dict[str, list[str]] = field(default_factory=dict)
    """Each consumer group of this service and the topics it reads (watched for progress)."""
    progress: ProgressMonitor | None = None
    """Watches the consumer groups and outboxes for stuck work (``/statusz``)."""
    on_start: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Start-up steps (indexes, collections) run before the broker starts consuming."""
    background: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Long-running loops (deadline checkers) started once the bus is up, cancelled at stop."""
    background_tasks: list[asyncio.Task[None]] = field(default_factory=list)
    """The running background loops (cancelled, and awaited, when the app stops)."""

    def database(self, tenant: str) -> Database:
        """This service's database for ``tenant``; unknown tenants are refused."""
        if tenant not in self.settings.tenants:
            raise UnknownTenantError(tenant, "not a tenant of this deployment")
        return self.mongo[database_name(tenant, self.settings.service_name)]

    @property
    def policy(self) -> SharingPolicy:
        return self.sharing_policy or load_policy()

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.policy, self.settings.service_name)

    def consume(
        self,
        *,
        handlers: dict[str, Handler] | None = None,
        batch_handlers: dict[str, BatchHandler] | None = None,
        collections: Sequence[str] = (),
        on_consent_withdrawn: Sequence[WithdrawalHook] = (),
    ) -> EventConsumer:
        """Subscribe this service, as a recipient, to the events it handles.

        Call from ``configure`` (before the broker starts). Each event reaches
        a handler only if the sharing policy lets this service see it, with
        withheld fields removed, at most once, inside a transaction on the
        event's tenant database; ``collections`` are the handlers' own,
        created at start-up. ``on_consent_withdrawn`` hooks remove what was
        received under a consent when it is withdrawn.
        """
        consumer = EventConsumer(
            mongo=self.mongo,
            recipient=self.settings.service_name,
            tenants=self.settings.tenants,
            policy=self.policy,
            handlers=handlers,
            batch_handlers=batch_handlers,
            database=self.database,
            registry=self.registry,
            on_consent_withdrawn=on_consent_withdrawn,
            tracer_provider=self.tracer_provider,
        )
        consumer.handler_collections = tuple(collections)
        consumer.subscribe(self.broker)
        self.consumer_groups.setdefault(consumer.group_id, []).extend(consumer.topics())
        consumer.after_commit.append(self.wake_relay)
        self.consumers.append(consumer)
        return consumer

    def prepare_each_database(self, step: Callable[[Database], Awaitable[None]]) -> None:
        """At start-up, before the broker consumes, run ``step`` on each tenant's database.

        For a service's indexes and collections; ``step`` must be idempotent
        (it runs at every start).
        """

        async def prepare() -> None:
            for tenant in self.settings.tenants:
                await step(self.database(tenant))

        self.on_start.append(prepare)

    def wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    @asynccontextmanager
    async def transaction(self, tenant: str) -> AsyncIterator[Transaction]:
        """A state change and the events it causes, committed together.

        ``await tx.publish([...])`` queues events in the outbox inside the
        transaction; the relay sends them once it commits.
        """
        db = self.database(tenant)
        async with self.mongo.start_session() as session, await session.start_transaction():
            yield Transaction(db, session, self.outbox)
        self.wake_relay()

    async def run_transaction(
        self,
        tenant: str,
        apply: Callable[[Transaction], Awaitable[T]],
        *,
        attempts: int = TRANSACTION_ATTEMPTS,
    ) -> T:
        """``apply`` in one transaction on ``tenant``'s database, retried on transient errors.

        A write conflict (another request changing the same documents) or a
        primary stepping down is retried, at most ``attempts`` times in all
        (``hub_messaging.failures.run_transaction``); ``apply`` therefore
        reads what it decides on inside the transaction. Any other error, and
        the last transient one, is raised.
        """
        db = self.database(tenant)
        outbox = self.outbox
        result = await run_transaction(
            self.mongo, lambda session: apply(Transaction(db, session, outbox)), attempts=attempts
        )
        self.wake_relay()
        return result


@dataclass(frozen=True)
class Transaction:
    """An open transaction on one tenant database, with its outbox."""

    db: Database
    session: AsyncClientSession
    outbox: Outbox

    async def publish(self, events: Sequence[CloudEvent]) -> list[Decision]:
        """Queue events (policy-checked; refused ones go to their dead letters)."""
        return await self.outbox.add(self.db, self.session, events)


Configure = Callable[[ServiceRuntime, FastAPI], None]


class MissingSecrets(RuntimeError):
    """A service outside development mode without the secrets it needs."""

    def __init__(self, service: str, missing: Sequence[str]) -> None:
        super().__init__(
            f"{service} refuses to start without: {'; '.join(missing)}. "
            "Set them, or HUB_ENV=development for a development stack."
        )
        self.missing = list(missing)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    configure: Configure | None = None,
    policy: SharingPolicy | None = None,
) -> FastAPI:
    """Build a service's FastAPI app from its settings.

    The broker is built here (never at import time) and started in the
    lifespan; if Kafka is not reachable the service still starts, reports
    not-ready, and keeps retrying. Outside development, a service lacking a
    real secret refuses to start (``MissingSecrets``).
    """
    missing = missing_secrets(settings)
    if missing:
        raise MissingSecrets(settings.service_name, missing)
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
        sharing_policy=policy,
    )
    kafka_probe = KafkaProbe(
        settings.kafka_bootstrap,
        settings.service_name,
        settings.probe_timeout_s,
        security=settings.kafka_security,
    )
    mongo_probe = MongoProbe(runtime.mongo, settings.probe_timeout_s)
    progress = ProgressMonitor(
        bootstrap=settings.kafka_bootstrap,
        client_id=settings.service_name,
        groups=runtime.consumer_groups,
        databases={t: runtime.database(t) for t in settings.tenants},
        registry=registry,
        interval_s=settings.monitor_interval_s,
        stall_after_s=settings.stall_after_s,
        # not the readiness probe's short timeout: the offsets of every partition of every
        # group take a few seconds to gather over SASL_SSL on a busy machine
        security=settings.kafka_security,
    )
    runtime.progress = progress
    runtime.background.append(progress.run)
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
        log.info("service started", extra={"port": settings.port})
        try:
            yield
        finally:
            connector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connector
            for task in runtime.background_tasks:
                task.cancel()
            for task in runtime.background_tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if runtime.relay is not None:
                await runtime.relay.stop()
                await runtime.relay.producer.stop()
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

    async def probe() -> list[ProbeResult]:
        """Probe every dependency and record the answers in ``hub_dependency_up``."""
        results: list[ProbeResult] = list(
            await asyncio.gather(kafka_probe.check(), mongo_probe.check())
        )
        connected = runtime.broker_connected.is_set()
        detail = "connected" if connected else "service's Kafka broker not connected yet"
        results.append(ProbeResult("broker", connected, detail))
        for r in results:
            dependency_up.labels(r.dependency).set(1 if r.ok else 0)
        return results

    @ops.get(
        "/readyz",
        summary="Readiness: 200 only when Kafka and MongoDB answer.",
        responses={503: {"description": "A dependency is not answering."}},
    )
    async def readyz() -> JSONResponse:
        results = await probe()
        ready = all(r.ok for r in results)
        return JSONResponse(
            status_code=200 if ready else 503,
            content={
                "status": "ready" if ready else "not-ready",
                "service": settings.service_name,
                "checks": {r.dependency: {"ok": r.ok, "detail": r.detail} for r in results},
            },
        )

    @ops.get(
        "/statusz",
        summary="Is work flowing: 'degraded' while a consumed partition has lag and no "
        "progress for HUB_STALL_AFTER_S seconds; consumer lag and outbox backlog.",
    )
    async def statusz() -> JSONResponse:
        return JSONResponse(progress.status())

    @ops.get("/metrics", summary="Prometheus metrics.", response_class=Response)
    async def metrics(request: Request) -> Response:
        await probe()  # each scrape sees the dependencies as they are, not as last asked
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(ops)
    install_problem_handlers(app)
    if configure is not None:
        configure(runtime, app)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider, excluded_urls="healthz,readyz,metrics"
    )
    return app


async def _start_bus(runtime: ServiceRuntime) -> None:
    """Topics and collections first, then the broker (subscribers), then the relay."""
    settings = runtime.settings
    topics = [t for c in runtime.consumers for t in c.topics()] + runtime.inbound_topics
    await ensure_topics(
        settings.kafka_bootstrap,
        [*topics, *map(dead_letter_topic, topics)],
        security=settings.kafka_security,
    )
    for consumer in runtime.consumers:
        await consumer.prepare(consumer.handler_collections)
    for step in runtime.on_start:
        await step()
    await runtime.broker.start()
    if runtime.relay is None:
        producer = build_producer(settings)
        await producer.start()
        runtime.relay = OutboxRelay(
            producer, [runtime.database(t) for t in settings.tenants], registry=runtime.registry
        )
        await runtime.relay.prepare()
        runtime.relay.start()


async def _connect_broker(runtime: ServiceRuntime) -> None:
    """Start the bus, retrying while Kafka (or MongoDB) is unreachable."""
    while True:
        try:
            await _start_bus(runtime)
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
        for loop in runtime.background:
            runtime.background_tasks.append(
                asyncio.create_task(_supervised(loop), name="background")
            )
        return


async def _supervised(loop: Callable[[], Awaitable[None]]) -> None:
    """Run a background loop; restart it after a crash (logged), until cancelled."""
    while True:
        try:
            await loop()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("background loop failed; restarting", extra={"error": type(exc).__name__})
            await asyncio.sleep(BROKER_RETRY_S)
