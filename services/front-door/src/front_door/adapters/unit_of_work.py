"""The MongoDB unit of work: a tenant database, the open transaction's session, its outbox.

HTTP commands open one per request (``MongoUnitOfWorkFactory.transaction``, on
``ServiceRuntime.transaction``: the relay is woken once it commits); event
handlers get the consumer's transaction as one (``on_delivery`` / ``on_batch`` /
``on_withdrawal`` wrap a handler of a unit of work as the consumer's handler).
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from hub_contracts.envelope import CloudEvent
from hub_messaging.consent import WithdrawalHook
from hub_messaging.consumer import BatchHandler, Delivery, Handler, HandlerContext
from hub_messaging.outbox import Outbox
from hub_service.app import Database, ServiceRuntime
from pymongo.asynchronous.client_session import AsyncClientSession

from front_door.adapters.candidates import MongoCandidates
from front_door.adapters.contacts import MongoContacts
from front_door.adapters.enquiries import MongoEnquiries
from front_door.adapters.facts import MongoFacts
from front_door.adapters.persons import MongoPersons
from front_door.adapters.records import (
    MongoConsents,
    MongoIdentityChanges,
    MongoRecordViews,
    MongoSharingDecisions,
    MongoTenantSettings,
)
from front_door.service_layer.unit_of_work import (
    BatchEventHandler,
    EventHandler,
    UnitOfWork,
    WithdrawalHandler,
)


class MongoUnitOfWork:
    """One tenant's repositories in ``session``'s transaction (none: outside one)."""

    def __init__(
        self,
        tenant: str,
        db: Database,
        session: AsyncClientSession | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.tenant = tenant
        self.db = db
        self.session = session
        self.outbox = outbox
        self.contacts = MongoContacts(db, session)
        self.enquiries = MongoEnquiries(db, session)
        self.persons = MongoPersons(db, session)
        self.candidates = MongoCandidates(db, session)
        self.facts = MongoFacts(db, session)
        self.settings = MongoTenantSettings(db, session)
        self.identity_changes = MongoIdentityChanges(db, session)
        self.sharing_decisions = MongoSharingDecisions(db, session)
        self.record_views = MongoRecordViews(db, session)
        self.consents = MongoConsents(db, session)
        self.candidate_writes = 0

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        if self.outbox is None or self.session is None:
            raise RuntimeError("only a unit of work with a transaction publishes")
        await self.outbox.add(self.db, self.session, events)


class MongoUnitOfWorkFactory:
    """Units of work on the service runtime's tenant databases."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    @asynccontextmanager
    async def transaction(self, tenant: str) -> AsyncIterator[UnitOfWork]:
        async with self.runtime.transaction(tenant) as tx:
            yield MongoUnitOfWork(tenant, tx.db, tx.session, tx.outbox)

    def reading(self, tenant: str) -> UnitOfWork:
        return MongoUnitOfWork(tenant, self.runtime.database(tenant))


class _PerTransaction:
    """One unit of work per consumer transaction (and per attempt of it).

    The consumer makes one ``HandlerContext`` per transaction attempt and hands it
    to each run of the batch, so every run of one transaction shares its unit of
    work (and what it counts, e.g. candidate writes). An entry goes with its context.
    """

    def __init__(self) -> None:
        self._units: dict[int, tuple[weakref.ref[HandlerContext], MongoUnitOfWork]] = {}

    def __call__(self, ctx: HandlerContext) -> MongoUnitOfWork:
        key = id(ctx)
        entry = self._units.get(key)
        if entry is not None and entry[0]() is ctx:
            return entry[1]
        unit = MongoUnitOfWork(ctx.tenant, ctx.db, ctx.session, ctx.outbox)
        self._units[key] = (weakref.ref(ctx, lambda _: self._units.pop(key, None)), unit)
        return unit


def on_delivery(handler: EventHandler) -> Handler:
    """``handler`` as the consumer's handler, in the consumer's transaction."""
    unit_of = _PerTransaction()

    async def handle(delivery: Delivery, ctx: HandlerContext) -> None:
        await handler(delivery, unit_of(ctx))

    return handle


def on_batch(handler: BatchEventHandler) -> BatchHandler:
    """``handler`` as the consumer's batch handler, in the consumer's transaction."""
    unit_of = _PerTransaction()

    async def handle(batch: Sequence[Delivery], ctx: HandlerContext) -> None:
        await handler(batch, unit_of(ctx))

    return handle


def on_withdrawal(handler: WithdrawalHandler) -> WithdrawalHook:
    """``handler`` as the consumer's consent-withdrawal hook, in its transaction."""

    async def hook(consent_id: str, event_ids: list[str], ctx: HandlerContext) -> None:
        await handler(
            consent_id, event_ids, MongoUnitOfWork(ctx.tenant, ctx.db, ctx.session, ctx.outbox)
        )

    return hook
