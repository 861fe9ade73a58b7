"""Tenants: each local authority is a separate data controller.

A tenant owns separate databases in every service and a topic prefix on the bus,
so one tenant's data can be exported and run on its own (see docs/adr/0003).
"""

from __future__ import annotations

import re

DEFAULT_TENANTS: tuple[str, ...] = ("hartlepool", "stockton")
"""The boroughs the hub serves out of the box; configurable with ``HUB_TENANTS``."""

TENANT_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"
"""A tenant id: lower-case letters, digits and '-', 2 to 40 long, starting with a letter."""
_TENANT_RE = re.compile(TENANT_PATTERN)


class UnknownTenantError(ValueError):
    """A tenant id that is malformed or not configured for this deployment."""

    def __init__(self, tenant: str, reason: str) -> None:
        super().__init__(f"tenant {tenant!r} rejected: {reason}")
        self.tenant = tenant
        self.reason = reason


def validate_tenant_id(tenant: str) -> str:
    """Return ``tenant`` if it is a well-formed tenant id, else raise."""
    if not _TENANT_RE.fullmatch(tenant):
        raise UnknownTenantError(tenant, "malformed tenant id (lower-case letters, digits, '-')")
    return tenant


def database_name(tenant: str, service: str) -> str:
    """The MongoDB database that ``service`` keeps for ``tenant``.

    One database per tenant per service, named ``<tenant>__<service>`` so that a
    tenant's whole footprint is found (and exported) by its prefix.
    """
    validate_tenant_id(tenant)
    return f"{tenant}__{service.replace('-', '_')}"
