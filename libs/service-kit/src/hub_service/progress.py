"""Stuck work made visible: consumer lag, partitions that stopped, outbox age.

Every service runs a ``ProgressMonitor`` beside its consumers. Each pass it
asks Kafka for the committed offsets of the service's consumer groups and
the end offset of every partition they read, and its own databases for the
outbox rows not yet relayed. From those it keeps, as Prometheus gauges:

- ``hub_consumer_lag{group,topic,partition}``: records behind;
- ``hub_consumer_seconds_since_progress{group,topic,partition}``: how long the
  committed offset has not moved while there was lag (0 when caught up);
- ``hub_consumer_partition_stalled{group,topic,partition}``: 1 once that has
  lasted ``stall_after_s`` (``HUB_STALL_AFTER_S``);
- ``hub_service_degraded``: 1 while any partition of the service is stalled;
- ``hub_outbox_unsent{tenant}`` and ``hub_outbox_oldest_unsent_age_seconds{tenant}``;
- ``hub_outbox_parked_rows{tenant}``: rows Kafka refused for good, waiting for a person;
- ``hub_progress_check_up``: 1 when the last pass succeeded; 0 means the figures above
  are stale and stuck work would go unseen.

The offsets are the group's, not this process's: every replica of a service
reports the same figures (alert rules take the ``max``), and a replica that
hangs is still seen by the others. ``/readyz`` keeps its meaning (can this
process reach its dependencies); ``/statusz`` says whether work is flowing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from hub_messaging.documents import Document
from hub_messaging.kafka_security import KafkaSecurity
from hub_messaging.outbox import OUTBOX
from hub_messaging.relay import UNSENT
from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import CollectorRegistry, Gauge
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

log = logging.getLogger("hub_service.progress")


@dataclass(frozen=True)
class PartitionProgress:
    """Where one consumer group stands on one partition."""

    group: str
    topic: str
    partition: int
    lag: int
    seconds_since_progress: float
    stalled: bool


@dataclass(frozen=True)
class OutboxBacklog:
    """The rows of one tenant database's outbox not yet relayed to Kafka."""

    tenant: str
    unsent: int
    oldest_age_s: float
    parked: int = 0


@dataclass
class _Seen:
    committed: int
    progressed_at: float


class ProgressMonitor:
    """Measures, every ``interval_s``, whether a service's work is flowing."""

    def __init__(
        self,
        *,
        bootstrap: str,
        client_id: str,
        groups: Mapping[str, Sequence[str]],
        databases: Mapping[str, AsyncDatabase[Document]],
        registry: CollectorRegistry,
        interval_s: float = 15.0,
        stall_after_s: float = 300.0,
        timeout_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        security: KafkaSecurity | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.security = security or KafkaSecurity.from_env()
        self.client_id = f"{client_id}-progress"
        self.groups = groups
        """Consumer group -> the topics it reads (read at each pass: filled during start-up)."""
        self.databases = databases
        self.interval_s = interval_s
        self.stall_after_s = stall_after_s
        self.timeout_s = timeout_s
        self.clock = clock
        self.partitions: list[PartitionProgress] = []
        self.outbox: list[OutboxBacklog] = []
        self.checked_at: datetime | None = None
        self.last_error: str | None = None
        self._seen: dict[tuple[str, str, int], _Seen] = {}
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None
        labels = ["group", "topic", "partition"]
        self._lag = Gauge(
            "hub_consumer_lag",
            "Records behind: the partition's end offset minus the group's committed offset.",
            labels,
            registry=registry,
        )
        self._since = Gauge(
            "hub_consumer_seconds_since_progress",
            "Seconds the group's committed offset has not moved while the partition had lag.",
            labels,
            registry=registry,
        )
        self._stalled = Gauge(
            "hub_consumer_partition_stalled",
            "1 when the partition has had lag and no progress for HUB_STALL_AFTER_S seconds.",
            labels,
            registry=registry,
        )
        self._degraded = Gauge(
            "hub_service_degraded",
            "1 while any partition this service consumes is stalled.",
            registry=registry,
        )
        self._unsent = Gauge(
            "hub_outbox_unsent",
            "Outbox rows not yet relayed to Kafka.",
            ["tenant"],
            registry=registry,
        )
        self._oldest = Gauge(
            "hub_outbox_oldest_unsent_age_seconds",
            "Age of the oldest outbox row not yet relayed (0 when none).",
            ["tenant"],
            registry=registry,
        )
        self._check_up = Gauge(
            "hub_progress_check_up",
            "1 when the last progress check (lag, stalled partitions, outbox) succeeded.",
            registry=registry,
        )
        self._parked = Gauge(
            "hub_outbox_parked_rows",
            "Outbox rows Kafka refused for good, set aside unsent for a person to look at.",
            ["tenant"],
            registry=registry,
        )

    @property
    def degraded(self) -> bool:
        return any(p.stalled for p in self.partitions)

    def status(self) -> Document:
        """What ``/statusz`` answers: flowing or degraded, and why."""
        return {
            "status": "degraded" if self.degraded else "ok",
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "stall_after_s": self.stall_after_s,
            "stalled_partitions": [
                {
                    "group": p.group,
                    "topic": p.topic,
                    "partition": p.partition,
                    "lag": p.lag,
                    "seconds_since_progress": round(p.seconds_since_progress, 1),
                }
                for p in self.partitions
                if p.stalled
            ],
            "consumer_lag": sum(p.lag for p in self.partitions),
            "outbox": {
                b.tenant: {
                    "unsent": b.unsent,
                    "oldest_age_s": round(b.oldest_age_s, 1),
                    "parked": b.parked,
                }
                for b in self.outbox
            },
            "last_error": self.last_error,
        }

    # -- one pass -----------------------------------------------------------------------
    async def check(self) -> None:
        """Measure once and update the gauges."""
        with suppress_instrumentation():  # a pass is not a journey: keep it out of traces
            async with asyncio.timeout(self.timeout_s * 3):
                partitions = await self._consumer_progress()
                backlog = [await self._outbox(t, db) for t, db in self.databases.items()]
        self.partitions, self.outbox = partitions, backlog
        self.checked_at = datetime.now(UTC)
        for p in partitions:
            labels = (p.group, p.topic, str(p.partition))
            self._lag.labels(*labels).set(p.lag)
            self._since.labels(*labels).set(round(p.seconds_since_progress, 1))
            self._stalled.labels(*labels).set(1 if p.stalled else 0)
        self._degraded.set(1 if self.degraded else 0)
        self._check_up.set(1)
        for b in backlog:
            self._unsent.labels(b.tenant).set(b.unsent)
            self._oldest.labels(b.tenant).set(round(b.oldest_age_s, 1))
            self._parked.labels(b.tenant).set(b.parked)

    async def _consumer_progress(self) -> list[PartitionProgress]:
        groups = {g: sorted(set(t)) for g, t in self.groups.items() if t}
        if not groups:
            return []
        admin, offsets = await self._clients()
        topics = sorted({t for ts in groups.values() for t in ts})
        described = await admin.describe_topics(topics)
        partitions_of = {
            d["topic"]: [p["partition"] for p in d.get("partitions", [])]
            for d in described
            if not d.get("error_code")
        }
        everything = [
            TopicPartition(t, n) for t in topics for n in sorted(partitions_of.get(t, ()))
        ]
        if not everything:
            return []
        ends = await offsets.end_offsets(everything)
        starts = await offsets.beginning_offsets(everything)
        now = self.clock()
        found: list[PartitionProgress] = []
        for group, group_topics in groups.items():
            wanted = [tp for tp in everything if tp.topic in group_topics]
            committed = await admin.list_consumer_group_offsets(group, partitions=wanted)
            for tp in wanted:
                at = committed.get(tp)
                position = at.offset if at is not None and at.offset >= 0 else starts[tp]
                lag = max(0, ends[tp] - position)
                found.append(self.observe(group, tp, position, lag, now))
        return found

    def observe(
        self, group: str, tp: TopicPartition, position: int, lag: int, now: float
    ) -> PartitionProgress:
        """Where ``group`` stands on ``tp``, given its committed ``position`` and ``lag`` now.

        Progress is the committed offset moving, or having nothing to do;
        a partition is stalled once it has had lag without progress for
        ``stall_after_s``.
        """
        key = (group, tp.topic, tp.partition)
        seen = self._seen.get(key)
        if seen is None or seen.committed != position or lag == 0:
            seen = self._seen[key] = _Seen(position, now)
        since = 0.0 if lag == 0 else now - seen.progressed_at
        return PartitionProgress(
            group, tp.topic, tp.partition, lag, since, lag > 0 and since >= self.stall_after_s
        )

    async def _outbox(self, tenant: str, db: AsyncDatabase[Document]) -> OutboxBacklog:
        waiting = await db[OUTBOX].count_documents({"sent": False})
        parked = await db[OUTBOX].count_documents({"sent": False, "parked": True}) if waiting else 0
        oldest = None
        if waiting > parked:
            oldest = await db[OUTBOX].find_one(
                UNSENT, {"seq": 1}, sort=[("sent", ASCENDING), ("seq", ASCENDING)]
            )
        age = 0.0
        if oldest is not None:
            age = max(0.0, (datetime.now(UTC) - oldest["seq"].generation_time).total_seconds())
        return OutboxBacklog(tenant, waiting - parked, age, parked)

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._offsets is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.bootstrap,
                client_id=self.client_id,
                request_timeout_ms=int(self.timeout_s * 1000),
                **self.security.aiokafka(),
            )
            offsets = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap,
                client_id=self.client_id,
                group_id=None,
                enable_auto_commit=False,
                request_timeout_ms=int(self.timeout_s * 1000),
                **self.security.aiokafka(),
            )
            try:
                await admin.start()
                await offsets.start()
            except BaseException:
                await _close(admin, offsets)
                raise
            self._admin, self._offsets = admin, offsets
        return self._admin, self._offsets

    async def close(self) -> None:
        admin, offsets, self._admin, self._offsets = self._admin, self._offsets, None, None
        await _close(admin, offsets)

    # -- the loop -------------------------------------------------------------------------
    async def run(self) -> None:
        """Measure every ``interval_s`` until cancelled; a failed pass is logged and reported."""
        try:
            while True:
                try:
                    await self.check()
                    self.last_error = None
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # Kafka or MongoDB away: readiness says so too
                    self.last_error = type(exc).__name__
                    self._check_up.set(0)
                    log.warning("progress check failed", extra={"error": type(exc).__name__})
                    await self.close()
                await asyncio.sleep(self.interval_s)
        finally:
            await self.close()


async def _close(admin: AIOKafkaAdminClient | None, offsets: AIOKafkaConsumer | None) -> None:
    if offsets is not None:
        with contextlib.suppress(Exception):
            await offsets.stop()
    if admin is not None:
        with contextlib.suppress(Exception):
            await admin.close()
