"""``Annotated`` parameters every service's HTTP API shares.

``TenantPath`` is the ``{tenant}`` path segment, validated as a tenant id
(``hub_contracts.tenancy``) before any route runs: a malformed one is a 422
``invalid-request`` naming the field, never a database lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from hub_contracts.tenancy import TENANT_PATTERN

TenantPath = Annotated[str, Path(description="Tenant id, e.g. 'stockton'.", pattern=TENANT_PATTERN)]
"""The ``{tenant}`` of ``/v1/{tenant}/...``."""
