"""Service defaults shared by every service of the hub.

Settings, structured logging, telemetry, the Kafka broker factory, the MongoDB
client, health/readiness/metrics endpoints and the process entry point. A
service's ``bootstrap.py`` wires its own routers and subscribers onto these.

Importing the package imports nothing else: ``hub_service.clock`` and
``hub_service.users`` are pure and safe for domain code. The names below are
loaded from their modules on first use, for callers that import them from the
package.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub_service.app import ServiceRuntime, create_service_app
    from hub_service.settings import ServiceSettings

__all__ = ["ServiceRuntime", "ServiceSettings", "create_service_app"]

_HOMES = {
    "ServiceRuntime": "hub_service.app",
    "create_service_app": "hub_service.app",
    "ServiceSettings": "hub_service.settings",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
