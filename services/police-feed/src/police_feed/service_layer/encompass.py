"""Operation Encompass after the notification: acknowledgements and breaches.

Education publishes ``operation-encompass-acknowledged`` when the school's key
adult has read a notification; the police record who acknowledged, when, and
whether it was before the start of the school day. A notification still
awaiting acknowledgement at ``notify_by`` is a breach: the police mark it
overdue and publish ``operation-encompass-overdue`` exactly once, even with
several replicas checking at the same time.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from hub_agency.basis import agency_basis
from hub_agency.inbox import INBOX, inbox_document
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import OperationEncompassAcknowledged
from hub_contracts.sharing import Purpose
from hub_messaging.consumer import Delivery, HandlerContext
from hub_messaging.documents import Document
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock, SystemClock
from prometheus_client import CollectorRegistry, Counter
from pymongo import ASCENDING
from pymongo.errors import PyMongoError

from police_feed.adapters.mongo import NOTIFICATIONS
from police_feed.domain.encompass import (
    NotificationStatus,
    acknowledged_in_time,
    is_overdue,
    overdue_notice,
)

log = logging.getLogger("police_feed.encompass")
SERVICE = "police-feed"
OVERDUE_BATCH = 200
"""Most notifications flagged per tenant per check (the rest wait for the next one)."""

AWAITING = NotificationStatus.AWAITING_ACKNOWLEDGEMENT.value


async def handle_acknowledgement(delivery: Delivery, ctx: HandlerContext) -> None:
    """Record the school's acknowledgement (the first one counts), and keep it in the inbox."""
    ack = OperationEncompassAcknowledged.model_validate(delivery.event.data)
    await ctx.db[INBOX].insert_one(inbox_document(delivery), session=ctx.session)
    doc = await ctx.db[NOTIFICATIONS].find_one({"_id": ack.notification_id}, session=ctx.session)
    if doc is None:
        log.warning(
            "acknowledgement of an unknown notification",
            extra={"tenant": ctx.tenant, "notification_id": ack.notification_id},
        )
        return
    if doc["status"] == NotificationStatus.ACKNOWLEDGED.value:
        return  # a second acknowledgement changes nothing
    if doc["status"] == NotificationStatus.HELD.value:
        # never sent: a school cannot have received it, so the hold stays visible
        log.warning(
            "acknowledgement of a held notification ignored",
            extra={"tenant": ctx.tenant, "notification_id": ack.notification_id},
        )
        return
    in_time = acknowledged_in_time(ack.acknowledged_at, doc["notify_by"])
    await ctx.db[NOTIFICATIONS].update_one(
        {"_id": ack.notification_id, "status": {"$ne": NotificationStatus.ACKNOWLEDGED.value}},
        {
            "$set": {
                "status": NotificationStatus.ACKNOWLEDGED.value,
                "acknowledged_at": ack.acknowledged_at,
                "acknowledged_by_role": ack.acknowledged_by_role.value,
                "acknowledged_school_urn": ack.school_urn,
                "acknowledged_in_time": in_time,
                "acknowledgement_event_id": delivery.event.id,
            }
        },
        session=ctx.session,
    )
    log.info(
        "operation encompass acknowledged",
        extra={
            "tenant": ctx.tenant,
            "notification_id": ack.notification_id,
            "in_time": in_time,
        },
    )


def overdue_counter(registry: CollectorRegistry) -> Counter:
    return Counter(
        "hub_encompass_overdue",
        "Operation Encompass notifications not acknowledged before the school day started.",
        ["tenant"],
        registry=registry,
    )


async def flag_overdue(
    runtime: ServiceRuntime, clock: Clock, *, counter: Counter | None = None
) -> list[str]:
    """Mark every notification past ``notify_by`` without acknowledgement as overdue.

    One transaction per notification: a conditional update (still awaiting,
    deadline passed) and the ``operation-encompass-overdue`` event in the
    outbox commit together, so the event goes out exactly once; a replica
    that loses the race matches nothing (or hits a write conflict) and
    publishes nothing. Returns the ids this call flagged.
    """
    now = clock.now()
    flagged: list[str] = []
    for tenant in runtime.settings.tenants:
        db = runtime.database(tenant)
        due = (
            await db[NOTIFICATIONS]
            .find({"status": AWAITING, "notify_by": {"$lt": now}})
            .sort("notify_by", ASCENDING)
            .limit(OVERDUE_BATCH)
            .to_list()
        )
        for doc in due:
            deadline = doc["notify_by"]
            status = NotificationStatus(str(doc["status"]))
            if not isinstance(deadline, datetime) or not is_overdue(status, deadline, now):
                continue
            try:
                if await _flag_one(runtime, tenant, doc, now):
                    flagged.append(str(doc["_id"]))
                    if counter is not None:
                        counter.labels(tenant).inc()
            except PyMongoError as exc:
                if not exc.has_error_label("TransientTransactionError"):
                    raise
                # another replica is flagging it (write conflict): it publishes, not us
                log.info(
                    "overdue notification taken by another replica",
                    extra={"tenant": tenant, "notification_id": doc["_id"]},
                )
    return flagged


async def _flag_one(runtime: ServiceRuntime, tenant: str, doc: Document, now: datetime) -> bool:
    event = CloudEvent.new(
        tenant=tenant,
        producer=SERVICE,
        subject=doc["subject"],
        payload=overdue_notice(
            notification=doc["_id"],
            police_reference=doc["police_reference"],
            school_urn=doc.get("school_urn"),
            local_authority_code=doc.get("local_authority_code"),
            deadline=doc["notify_by"],
            detected_at=now,
        ),
        sharing=agency_basis(SERVICE, Purpose.OPERATION_ENCOMPASS),
        time=now,
    )
    async with runtime.transaction(tenant) as tx:
        claimed = await tx.db[NOTIFICATIONS].update_one(
            {"_id": doc["_id"], "status": AWAITING, "notify_by": {"$lt": now}},
            {
                "$set": {
                    "status": NotificationStatus.OVERDUE.value,
                    "overdue_detected_at": now,
                    "overdue_event_id": event.id,
                }
            },
            session=tx.session,
        )
        if claimed.modified_count != 1:
            return False  # acknowledged or flagged meanwhile
        await tx.publish([event])
    log.warning(
        "operation encompass notification overdue",
        extra={"tenant": tenant, "notification_id": doc["_id"], "event_id": event.id},
    )
    return True


@dataclass
class OverdueWatch:
    """The background loop that runs ``flag_overdue`` every ``interval_s`` seconds.

    Registered as a runtime background loop: started once the bus is up and
    cancelled when the app stops, before the MongoDB client closes.
    Cancellation is safe at any await: each notification is flagged in its own
    transaction, which either commits (event queued) or is aborted.
    """

    runtime: ServiceRuntime
    clock: Clock = field(default_factory=SystemClock)
    interval_s: float = 60.0
    counter: Counter = field(init=False)

    def __post_init__(self) -> None:
        self.counter = overdue_counter(self.runtime.registry)

    async def check(self) -> list[str]:
        return await flag_overdue(self.runtime, self.clock, counter=self.counter)

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception as exc:  # keep watching; the next round retries
                log.error("overdue check failed", extra={"error": type(exc).__name__})
            await asyncio.sleep(self.interval_s)
