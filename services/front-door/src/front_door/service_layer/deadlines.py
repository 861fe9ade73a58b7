"""Breaches of the hub's clocks: found by a loop, published once per contact and clock."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Literal

from hub_contracts.codes import RagRating
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ContactDeadlineBreached
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock
from prometheus_client import Counter
from pymongo.errors import PyMongoError

from front_door.domain.contacts import ContactStatus
from front_door.service_layer.intake import CONTACTS, SERVICE
from front_door.service_layer.screening import SCREENING_BASIS

log = logging.getLogger("front_door.deadlines")
CLOCKS: tuple[tuple[Literal["screening-window", "decision"], str], ...] = (
    ("screening-window", "screen_by"),
    ("decision", "decide_by"),
)
CHECK_INTERVAL_S = 30.0


class DeadlineWatch:
    """Finds undecided contacts past a deadline and publishes each breach exactly once."""

    def __init__(self, runtime: ServiceRuntime, clock: Clock) -> None:
        self.runtime = runtime
        self.clock = clock
        self.breaches = Counter(
            "hub_sla_breaches",
            "Contacts that passed a deadline undecided, by clock and rating.",
            ["clock", "rag_rating"],
            registry=runtime.registry,
        )

    async def check(self, tenant: str) -> list[str]:
        """One pass over ``tenant``; returns ``<contact_id>:<clock>`` of new breaches."""
        now = self.clock.now()
        db = self.runtime.database(tenant)
        found = []
        for clock, field in CLOCKS:
            flag = f"breached.{clock}"
            query: dict[str, Any] = {
                "status": {"$ne": ContactStatus.DECIDED.value},
                field: {"$lt": now},
                flag: {"$exists": False},
            }
            async for due in db[CONTACTS].find(query, {"_id": 1}):
                if await self._breach(tenant, str(due["_id"]), clock, field, flag, query, now):
                    found.append(f"{due['_id']}:{clock}")
        return found

    async def _breach(
        self,
        tenant: str,
        contact_id: str,
        clock: Literal["screening-window", "decision"],
        field: str,
        flag: str,
        query: dict[str, Any],
        now: datetime,
    ) -> bool:
        try:
            async with self.runtime.transaction(tenant) as tx:
                contact: dict[str, Any] | None = await tx.db[CONTACTS].find_one_and_update(
                    {"_id": contact_id, **query},
                    {"$set": {flag: now}},
                    session=tx.session,
                )
                if contact is None:
                    return False  # decided meanwhile, or another replica got there first
                rating = contact.get("rag_rating") or contact.get("rag_rating_as_received")
                event = CloudEvent.new(
                    tenant=tenant,
                    producer=SERVICE,
                    subject=contact["person_id"],
                    payload=ContactDeadlineBreached(
                        contact_id=contact_id,
                        clock=clock,
                        rag_rating=RagRating(rating) if rating else None,
                        deadline=contact[field],
                        detected_at=now,
                    ),
                    sharing=SCREENING_BASIS,
                    time=now,
                )
                await tx.publish([event])
        except PyMongoError as exc:
            log.warning(
                "breach not recorded; next pass retries", extra={"error": type(exc).__name__}
            )
            return False
        self.breaches.labels(clock, rating or "unrated").inc()
        log.info("deadline breached", extra={"contact_id": contact_id, "clock": clock})
        return True

    async def run(self, interval_s: float = CHECK_INTERVAL_S) -> None:
        """Check every tenant, forever (a runtime background loop)."""
        while True:
            for tenant in self.runtime.settings.tenants:
                await self.check(tenant)
            await asyncio.sleep(interval_s)
