"""Publishes each tenant database's outbox to Kafka, in order.

One relay per tenant database holds a lease at a time, so replicas of a
service never publish the same rows concurrently; another replica takes over
when the lease expires. Rows are published with ``acks=all`` and idempotence,
then marked sent; sent rows expire after ``retention``. Every dead letter it
publishes is counted (``hub_dead_letters_total{topic,reason}``), whichever
part of the service queued it.

A row Kafka refuses for good (a record too large, a topic this principal may
not write) is tried ``MAX_ROW_ATTEMPTS`` times and then **parked**: kept,
unsent, out of the way of the rows behind it, counted in
``hub_outbox_parked_total`` and by the progress monitor. Errors that may pass
(a broker away, a leader moving) leave every row where it is, to be retried
with backoff, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from bson import ObjectId
from hub_contracts.topics import DEAD_LETTER_SUFFIX
from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import CollectorRegistry, Counter
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hub_messaging.documents import Document
from hub_messaging.outbox import OUTBOX, OutgoingRecord, decode_records, ensure_outbox_indexes

log = logging.getLogger("hub_messaging.relay")
LEASES = "outbox_leases"
MAX_IN_FLIGHT = 2
MAX_ROW_ATTEMPTS = 3
"""Times a row Kafka refuses for good is tried before it is parked."""
UNSENT: Document = {"sent": False, "parked": {"$ne": True}}
"""Rows the relay still has to publish (parked rows wait for a person)."""


@dataclass
class _Sending:
    """One outbox row on its way: its records, their acknowledgements, what was refused."""

    row: Document
    records: list[OutgoingRecord]
    futures: list[Any] = field(default_factory=list)
    refused: list[BaseException] = field(default_factory=list)


def _may_pass(error: BaseException) -> bool:
    """A failure that is Kafka's (retry everything later), not the row's."""
    return not isinstance(error, KafkaError) or error.retriable


class OutboxRelay:
    """Relays the outboxes of several tenant databases through one producer."""

    def __init__(
        self,
        producer: AIOKafkaProducer,
        databases: Sequence[AsyncDatabase[Document]],
        *,
        batch_size: int = 500,
        idle_poll_s: float = 0.2,
        lease_s: float = 10.0,
        retention: timedelta = timedelta(days=7),
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.producer = producer
        self.databases = list(databases)
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self.lease = timedelta(seconds=lease_s)
        self.retention = retention
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._held_until: dict[str, datetime] = {}
        self._cursor: dict[str, ObjectId | None] = {}
        self._in_flight: dict[str, list[asyncio.Task[None]]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0
        registry = registry or CollectorRegistry()
        self.dead_letters = Counter(
            "hub_dead_letters",
            "Dead letters published, by dead-letter topic and machine-readable reason.",
            ["topic", "reason"],
            registry=registry,
        )
        self.parked = Counter(
            "hub_outbox_parked",
            "Outbox rows Kafka refused for good, set aside unsent, by database and error.",
            ["database", "error"],
            registry=registry,
        )

    def wake(self) -> None:
        """Call after committing outbox rows to relay them without waiting for the poll."""
        self._wake.set()

    async def prepare(self) -> None:
        for db in self.databases:
            await ensure_outbox_indexes(db)
            await db[OUTBOX].create_index(
                [("sent_at", ASCENDING)],
                expireAfterSeconds=int(self.retention.total_seconds()),
                partialFilterExpression={"sent": True},
            )

    async def _hold_lease(self, db: AsyncDatabase[Document]) -> bool:
        now = datetime.now(UTC)
        held_until = self._held_until.get(db.name)
        if held_until is not None and held_until - now > self.lease / 2:
            return True  # renewed recently enough
        try:
            doc = await db[LEASES].find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + self.lease}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            self._held_until.pop(db.name, None)
            return False  # another relay holds an unexpired lease
        if doc is None or doc["owner"] != self.owner:
            self._held_until.pop(db.name, None)
            return False
        self._held_until[db.name] = now + self.lease
        return True

    async def relay_once(self, db: AsyncDatabase[Document]) -> int:
        """Send one page of unsent rows of ``db``; returns how many were sent.

        Pages are read past a sequence cursor while earlier pages are still
        being confirmed (Kafka acks, then marked sent), at most
        ``MAX_IN_FLIGHT`` pages at a time. When nothing is left past the
        cursor, every confirmation is awaited and the next pass rescans from
        the start, picking up rows of transactions that committed late.
        """
        if not await self._hold_lease(db):
            await self._drain(db.name)
            return 0
        cursor = self._cursor.get(db.name)
        query: Document = dict(UNSENT)
        if cursor is not None:
            query["seq"] = {"$gt": cursor}
        rows = await db[OUTBOX].find(query).sort("seq", ASCENDING).limit(self.batch_size).to_list()
        if not rows:
            await self._drain(db.name)
            self._cursor[db.name] = None
            return 0
        # send() queues in order; the futures resolve once written with acks=all
        sending: list[_Sending] = []
        for row in rows:
            item = _Sending(row, decode_records(row))
            for record in item.records:
                try:
                    item.futures.append(
                        await self.producer.send(
                            record.topic, value=record.value, key=record.key, headers=record.headers
                        )
                    )
                except KafkaError as exc:
                    if exc.retriable:
                        raise
                    item.refused.append(exc)  # e.g. too large: this row's fault, not Kafka's
            sending.append(item)
        self._cursor[db.name] = rows[-1]["seq"]
        in_flight = self._in_flight.setdefault(db.name, [])
        in_flight.append(asyncio.create_task(self._confirm(db, sending)))
        while len(in_flight) > MAX_IN_FLIGHT:
            await in_flight.pop(0)
        return len(rows)

    async def _confirm(self, db: AsyncDatabase[Document], sending: list[_Sending]) -> None:
        results = iter(
            await asyncio.gather(*(f for i in sending for f in i.futures), return_exceptions=True)
        )
        for item in sending:
            item.refused.extend(
                r for _ in item.futures if isinstance(r := next(results), BaseException)
            )
        sent = [i for i in sending if not i.refused]
        if sent:
            await db[OUTBOX].update_many(
                {"_id": {"$in": [i.row["_id"] for i in sent]}},
                {"$set": {"sent": True, "sent_at": datetime.now(UTC)}},
            )
        for item in sent:
            self.published += len(item.records)
            for record in item.records:
                if record.topic.endswith(DEAD_LETTER_SUFFIX):
                    reason = dict(record.headers).get("dlq_reason", b"unknown")
                    self.dead_letters.labels(record.topic, reason.decode(errors="replace")).inc()
        failed = [i for i in sending if i.refused]
        passing = [e for i in failed for e in i.refused if _may_pass(e)]
        if passing:
            raise passing[0]  # Kafka trouble: every unconfirmed row stays unsent, retried
        for item in failed:
            await self._refused_for_good(db, item.row, item.refused[0])

    async def _refused_for_good(
        self, db: AsyncDatabase[Document], row: Document, error: BaseException
    ) -> None:
        """Count an attempt Kafka refused for good; park the row after ``MAX_ROW_ATTEMPTS``."""
        attempts = int(row.get("attempts", 0)) + 1
        update: Document = {"attempts": attempts, "last_error": type(error).__name__}
        if attempts >= MAX_ROW_ATTEMPTS:
            update.update(parked=True, parked_at=datetime.now(UTC))
            self.parked.labels(db.name, type(error).__name__).inc()
            log.error(
                "outbox row parked: Kafka refuses it",
                extra={"row_id": row["_id"], "database": db.name, "error": type(error).__name__},
            )
        await db[OUTBOX].update_one({"_id": row["_id"]}, {"$set": update})

    async def _drain(self, name: str) -> None:
        in_flight = self._in_flight.pop(name, [])
        try:
            for task in in_flight:
                await task
        finally:
            for task in in_flight:
                task.cancel()

    async def _reset(self) -> None:
        """After a failure: forget cursors and pages in flight; unsent rows stay unsent."""
        for name in list(self._in_flight):
            for task in self._in_flight.pop(name):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        self._cursor.clear()

    async def run(self) -> None:
        """Relay until cancelled; errors are logged and retried with backoff.

        Its polling is not traced: a trace per poll would bury the journeys in
        the tracing UI. Each event carries the trace context of the change
        that caused it instead.
        """
        with suppress_instrumentation():
            await self._run()

    async def _run(self) -> None:
        await self.prepare()
        backoff = 0.1
        while True:
            try:
                moved = 0
                for db in self.databases:
                    moved += await self.relay_once(db)
                backoff = 0.1
            except Exception as exc:  # Kafka or Mongo away: the rows stay unsent
                log.warning("outbox relay failed; retrying", extra={"error": type(exc).__name__})
                await self._reset()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if moved == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for name in list(self._in_flight):
            with contextlib.suppress(Exception):
                await self._drain(name)
