"""Service defaults shared by every service of the hub.

Settings, structured logging, telemetry, the Kafka broker factory, the MongoDB
client, health/readiness/metrics endpoints and the process entry point. A
service's ``bootstrap.py`` wires its own routers and subscribers onto these.
"""

from hub_service.app import ServiceRuntime, create_service_app
from hub_service.settings import ServiceSettings

__all__ = ["ServiceRuntime", "ServiceSettings", "create_service_app"]
