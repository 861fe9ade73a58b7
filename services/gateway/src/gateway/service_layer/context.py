"""What the gateway's handlers work with: settings, clock, stores and the front door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub_service import ServiceRuntime
from hub_service.clock import Clock
from pymongo.asynchronous.database import AsyncDatabase

from gateway.adapters.accounts import IdentityProvider
from gateway.adapters.audit import SignInAudit
from gateway.adapters.front_door import FrontDoor
from gateway.adapters.sessions import SessionStore
from gateway.settings import GatewaySettings


@dataclass
class Gateway:
    runtime: ServiceRuntime
    settings: GatewaySettings
    clock: Clock
    front_door: FrontDoor
    sessions: SessionStore
    identity: IdentityProvider
    sign_ins: SignInAudit

    def tenant_db(self, tenant: str) -> AsyncDatabase[dict[str, Any]]:
        return self.runtime.database(tenant)

    @property
    def tenants(self) -> tuple[str, ...]:
        return self.runtime.settings.tenants
