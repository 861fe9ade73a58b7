"""The one step every user action on a tenant's records takes: authorise it for the
user's tenant and roles, call the front door as the user for the stated purpose, and
audit it in the tenant's gateway database.

Routes get an ``Actor`` from their dependencies (``entrypoints.deps``); handlers do
their work inside ``actor.doing(action)``, which refuses (and audits the refusal)
before anything is called and audits the action once it is done.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from hub_contracts.sharing import Purpose
from hub_service.problems import ProblemError
from pymongo.asynchronous.database import AsyncDatabase

from gateway.adapters.audit import record_action
from gateway.adapters.front_door import Page, segment
from gateway.domain.access import Action, allowed_actions, refusal
from gateway.domain.users import Principal
from gateway.service_layer.context import Gateway

log = logging.getLogger("gateway.actions")
DEFAULT_PURPOSE = Purpose.SAFEGUARDING_SCREENING.value


def purpose_of(value: str | None) -> str:
    """A purpose from the purpose codes; the screening purpose when none is given."""
    if value is None or value == "":
        return DEFAULT_PURPOSE
    try:
        return Purpose(value).value
    except ValueError as exc:
        raise ProblemError(
            422, "unknown-purpose", f"purpose must be one of {[p.value for p in Purpose]}"
        ) from exc


@dataclass
class Entry:
    """What the audit keeps of an action once it is done: ids, never the child's details."""

    contact_id: str | None = None
    person_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Actor:
    """The signed-in user acting in one tenant for a stated purpose (a purpose code)."""

    gw: Gateway
    principal: Principal
    tenant: str
    purpose: str

    @property
    def actions(self) -> set[Action]:
        """What the user may do in this tenant (for showing only what they can use)."""
        return allowed_actions(self.principal, self.tenant)

    @property
    def db(self) -> AsyncDatabase[dict[str, Any]]:
        """The tenant's gateway database (its audit of user actions)."""
        return self.gw.tenant_db(self.tenant)

    def path(self, *segments: str) -> str:
        """A front door path in the tenant, ``/v1/{tenant}/...``, each segment escaped."""
        return "/".join(["/v1", *(segment(s) for s in (self.tenant, *segments))])

    async def authorise(self, action: Action, *, contact_id: str | None = None) -> None:
        """Refuse (and audit the refusal) unless the user may do ``action`` in the tenant."""
        why = refusal(self.principal, self.tenant, action)
        if why is None:
            return
        log.warning("user action refused", extra={"action": action.value, "reason": why.value})
        if self.tenant in self.gw.tenants:
            await self._record(action, Entry(contact_id), outcome=why.value)
        raise ProblemError(403, why.value, f"not permitted to {action.value} in this tenant")

    @asynccontextmanager
    async def doing(
        self,
        action: Action,
        *,
        contact_id: str | None = None,
        person_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AsyncIterator[Entry]:
        """Authorise ``action``; the body calls the front door (``call``, ``optional``,
        ``page``) and fills in the audit entry; then the action is audited as done.
        A refusal from the front door (or any error) leaves no 'done' entry."""
        await self.authorise(action, contact_id=contact_id)
        entry = Entry(contact_id, person_id, dict(detail or {}))
        yield entry
        await self._record(action, entry)

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """The front door's JSON answer, asked as the user for the purpose."""
        return await self.gw.front_door.call(
            self.principal, method, path, purpose=self.purpose, json=json, params=params
        )

    async def optional(self, path: str) -> Any | None:
        """GET a route the front door may not have yet: None when it has not."""
        return await self.gw.front_door.optional(self.principal, path, purpose=self.purpose)

    async def page(self, path: str, *, params: dict[str, Any]) -> Page:
        """One page of one of the front door's paged lists, with its total."""
        return await self.gw.front_door.page(
            self.principal, path, purpose=self.purpose, params=params
        )

    async def _record(self, action: Action, entry: Entry, outcome: str = "done") -> None:
        await record_action(
            self.db,
            self.principal,
            tenant=self.tenant,
            action=action.value,
            at=self.gw.clock.now(),
            purpose=self.purpose,
            contact_id=entry.contact_id,
            person_id=entry.person_id,
            outcome=outcome,
            detail=entry.detail,
        )
