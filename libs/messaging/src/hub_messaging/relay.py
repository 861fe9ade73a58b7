"""Publishes each tenant database's outbox to Kafka, in order.

One relay per tenant database holds a lease at a time, so replicas of a
service never publish the same rows concurrently; another replica takes over
when the lease expires. Rows are published with ``acks=all`` and idempotence,
then marked sent; sent rows expire after ``retention``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from hub_messaging.outbox import OUTBOX, ensure_outbox_indexes

log = logging.getLogger("hub_messaging.relay")
Document = dict[str, Any]
LEASES = "outbox_leases"


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
    ) -> None:
        self.producer = producer
        self.databases = list(databases)
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self.lease = timedelta(seconds=lease_s)
        self.retention = retention
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0

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
        try:
            doc = await db[LEASES].find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + self.lease}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False  # another relay holds an unexpired lease
        return doc is not None and doc["owner"] == self.owner

    async def relay_once(self, db: AsyncDatabase[Document]) -> int:
        """Publish one batch of unsent rows of ``db``; returns how many."""
        if not await self._hold_lease(db):
            return 0
        rows = (
            await db[OUTBOX]
            .find({"sent": False})
            .sort("seq", ASCENDING)
            .limit(self.batch_size)
            .to_list()
        )
        if not rows:
            return 0
        # send() queues in order; awaiting the futures confirms every write (acks=all)
        futures = [
            await self.producer.send(
                row["topic"],
                value=bytes(row["value"]),
                key=bytes(row["key"]),
                headers=[(k, bytes(v)) for k, v in row["headers"]],
            )
            for row in rows
        ]
        await asyncio.gather(*futures)
        await db[OUTBOX].update_many(
            {"_id": {"$in": [r["_id"] for r in rows]}},
            {"$set": {"sent": True, "sent_at": datetime.now(UTC)}},
        )
        self.published += len(rows)
        return len(rows)

    async def run(self) -> None:
        """Relay until cancelled; errors are logged and retried with backoff."""
        await self.prepare()
        backoff = 0.1
        while True:
            try:
                moved = 0
                for db in self.databases:
                    moved += await self.relay_once(db)
                backoff = 0.1
            except (PyMongoError, Exception) as exc:  # Kafka or Mongo away: keep the rows
                log.warning("outbox relay failed; retrying", extra={"error": type(exc).__name__})
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
