"""Who may call an agency service's API, and for which tenants.

Each agency system (a police records system, a school MIS, an A&E system) is
its own principal with a bearer token and the tenants it serves. A token for
one tenant never reaches another tenant's data: a Hartlepool system posting
to ``/v1/stockton/...`` is refused with ``tenant-not-permitted``.

Configured by ``HUB_AGENCY_CLIENTS`` (JSON ``{"<principal>": {"token_sha256":
"<hex>", "tenants": ["stockton"]}}``); only hashes are configured, never
tokens. Unset in development mode (``HUB_ENV=development``, as ``make up``
runs), each tenant gets a development client whose token is
``demo-<tenant>-<service>`` (logged as a warning at start-up); anywhere else
the service refuses to start without the variable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Request
from hub_service.app import ServiceRuntime
from hub_service.deps import TenantPath
from hub_service.problems import ProblemError
from hub_service.settings import ServiceSettings

log = logging.getLogger("hub_agency.clients")


@dataclass(frozen=True)
class Principal:
    """An authenticated agency system."""

    name: str
    tenants: frozenset[str]


@dataclass(frozen=True)
class _Client:
    principal: Principal
    token_sha256: str


def demo_token(tenant: str, service: str) -> str:
    """The development token of ``tenant``'s client of ``service``."""
    return f"demo-{tenant}-{service}"


def load_clients(settings: ServiceSettings) -> list[_Client]:
    """The configured clients, or one development client per tenant."""
    if settings.agency_clients:
        table = json.loads(settings.agency_clients)
        return [
            _Client(
                Principal(name, frozenset(entry["tenants"])), str(entry["token_sha256"]).lower()
            )
            for name, entry in table.items()
        ]
    if not settings.development:
        raise RuntimeError("HUB_AGENCY_CLIENTS is required outside HUB_ENV=development")
    log.warning("agency API uses development tokens; set HUB_AGENCY_CLIENTS in production")
    return [
        _Client(
            Principal(f"{tenant}-{settings.service_name}-system", frozenset({tenant})),
            _sha256(demo_token(tenant, settings.service_name)),
        )
        for tenant in settings.tenants
    ]


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clients(request: Request) -> list[_Client]:
    state = request.app.state
    if not hasattr(state, "agency_clients"):
        runtime: ServiceRuntime = state.runtime
        state.agency_clients = load_clients(runtime.settings)
    clients: list[_Client] = state.agency_clients
    return clients


async def authenticated(
    request: Request,
    tenant: TenantPath,
    authorization: Annotated[
        str | None, Header(description="`Bearer <token>` of the agency system.")
    ] = None,
) -> Principal:
    """The calling agency system, checked against the tenant in the path."""
    runtime: ServiceRuntime = request.app.state.runtime
    if not authorization or not authorization.startswith("Bearer "):
        raise ProblemError(401, "unauthenticated", "send Authorization: Bearer <token>")
    digest = _sha256(authorization.removeprefix("Bearer ").strip())
    principal = next(
        (c.principal for c in _clients(request) if hmac.compare_digest(c.token_sha256, digest)),
        None,
    )
    if principal is None:
        raise ProblemError(401, "unauthenticated", "unknown token")
    if tenant not in runtime.settings.tenants:
        raise ProblemError(404, "unknown-tenant", f"{tenant!r} is not a tenant of this deployment")
    if tenant not in principal.tenants:
        log.warning(
            "agency client refused for tenant",
            extra={"principal": principal.name, "tenant": tenant},
        )
        raise ProblemError(
            403, "tenant-not-permitted", f"{principal.name} may not act for tenant {tenant!r}"
        )
    return principal
