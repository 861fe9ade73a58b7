"""The unit of work: one tenant's repositories in one open transaction, and its outbox.

A handler does its reads and writes through the unit of work's repositories and
publishes through it, so the state change and the events it causes commit
together (or not at all). Event handlers get the consumer's transaction as a
unit of work; HTTP commands open one with ``UnitOfWorkFactory.transaction``;
reads that need no transaction use ``UnitOfWorkFactory.reading``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from hub_contracts.envelope import CloudEvent
from hub_messaging.consumer import Delivery

from front_door.service_layer.ports import (
    Candidates,
    Consents,
    Contacts,
    Enquiries,
    Facts,
    IdentityChanges,
    Persons,
    RecordViews,
    SharingDecisions,
    TenantSettings,
)


class UnitOfWork(Protocol):
    """One tenant's front-door records, in one transaction (if it has one)."""

    tenant: str
    candidate_writes: int
    """Candidate matches written in this transaction so far (the per-transaction cap
    counts them across every run of concerns the transaction handles)."""

    @property
    def contacts(self) -> Contacts: ...

    @property
    def enquiries(self) -> Enquiries: ...

    @property
    def persons(self) -> Persons: ...

    @property
    def candidates(self) -> Candidates: ...

    @property
    def facts(self) -> Facts: ...

    @property
    def settings(self) -> TenantSettings: ...

    @property
    def identity_changes(self) -> IdentityChanges: ...

    @property
    def sharing_decisions(self) -> SharingDecisions: ...

    @property
    def record_views(self) -> RecordViews: ...

    @property
    def consents(self) -> Consents: ...

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        """Queue ``events`` in the outbox, in this transaction (policy-checked; refused ones
        go to their dead letters). Only a unit of work with a transaction publishes."""
        ...


class UnitOfWorkFactory(Protocol):
    """Units of work for the HTTP routes."""

    def transaction(self, tenant: str) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction on ``tenant``: committed when the block ends, aborted if it raises."""
        ...

    def reading(self, tenant: str) -> UnitOfWork:
        """``tenant``'s records outside any transaction (reads, and the audit of them)."""
        ...


EventHandler = Callable[[Delivery, UnitOfWork], Awaitable[None]]
"""Handles one delivery in the consumer's transaction."""
BatchEventHandler = Callable[[Sequence[Delivery], UnitOfWork], Awaitable[None]]
"""Handles consecutive deliveries of one event type in the consumer's transaction."""
WithdrawalHandler = Callable[[str, list[str], UnitOfWork], Awaitable[None]]
"""Called with a withdrawn consent's id and the ids of the events received under it."""
