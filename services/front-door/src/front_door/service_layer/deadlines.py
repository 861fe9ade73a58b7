"""Breaches of the hub's clocks: found by a loop, published once per contact and clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ContactDeadlineBreached
from hub_service.clock import Clock
from prometheus_client import CollectorRegistry, Counter
from pymongo.errors import PyMongoError

from front_door.domain.contacts import Deadline
from front_door.service_layer.intake import SERVICE
from front_door.service_layer.screening import SCREENING_BASIS
from front_door.service_layer.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("front_door.deadlines")
CLOCKS: tuple[Deadline, ...] = (Deadline.SCREENING_WINDOW, Deadline.DECISION)
CLOCK_NAMES: dict[Deadline, Literal["screening-window", "decision"]] = {
    Deadline.SCREENING_WINDOW: "screening-window",
    Deadline.DECISION: "decision",
}
CHECK_INTERVAL_S = 30.0


class DeadlineWatch:
    """Finds undecided contacts past a deadline and publishes each breach exactly once."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        clock: Clock,
        registry: CollectorRegistry,
        tenants: Sequence[str],
    ) -> None:
        self.uows = uows
        self.clock = clock
        self.tenants = tenants
        self.breaches = Counter(
            "hub_sla_breaches",
            "Contacts that passed a deadline undecided, by clock and rating.",
            ["clock", "rag_rating"],
            registry=registry,
        )

    async def check(self, tenant: str) -> list[str]:
        """One pass over ``tenant``; returns ``<contact_id>:<clock>`` of new breaches."""
        now = self.clock.now()
        found = []
        for deadline in CLOCKS:
            for contact_id in await self.uows.reading(tenant).contacts.past_deadline(deadline, now):
                if await self._breach(tenant, contact_id, deadline, now):
                    found.append(f"{contact_id}:{deadline.value}")
        return found

    async def _breach(
        self, tenant: str, contact_id: str, deadline: Deadline, now: datetime
    ) -> bool:
        try:
            async with self.uows.transaction(tenant) as uow:
                contact = await uow.contacts.flag_breach(contact_id, deadline, now)
                if contact is None:
                    return False  # decided meanwhile, or another replica got there first
                rating = contact.current_rating
                event = CloudEvent.new(
                    tenant=tenant,
                    producer=SERVICE,
                    subject=contact.person_id,
                    payload=ContactDeadlineBreached(
                        contact_id=contact_id,
                        clock=CLOCK_NAMES[deadline],
                        rag_rating=rating,
                        deadline=contact.deadline
                        if deadline is Deadline.SCREENING_WINDOW
                        else contact.decide_by,
                        detected_at=now,
                    ),
                    sharing=SCREENING_BASIS,
                    time=now,
                )
                await uow.publish([event])
        except PyMongoError as exc:
            log.warning(
                "breach not recorded; next pass retries", extra={"error": type(exc).__name__}
            )
            return False
        self.breaches.labels(deadline.value, rating.value if rating else "unrated").inc()
        log.info("deadline breached", extra={"contact_id": contact_id, "clock": deadline.value})
        return True

    async def run(self, interval_s: float = CHECK_INTERVAL_S) -> None:
        """Check every tenant, forever (a runtime background loop)."""
        while True:
            for tenant in self.tenants:
                await self.check(tenant)
            await asyncio.sleep(interval_s)
