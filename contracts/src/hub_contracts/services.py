"""The service catalogue: one deployable per agency boundary.

The default HTTP port of each service lives here once, so the local stack,
Prometheus, ``compose.yaml`` and the services agree (a test checks compose).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceInfo:
    """A deployable service of the hub."""

    name: str
    """Service name, also its producer name in topic names."""
    package: str
    """The Python package that runs it (``python -m <package>``)."""
    port: int
    """Default HTTP port (health, readiness, metrics and the service's API)."""
    owns: str
    """What data the service owns, for people reading the catalogue."""
    inbound_kinds: tuple[str, ...] = ()
    """Record kinds agency systems send it, each on ``<tenant>.<name>-inbound.<kind>.v1``."""

    @property
    def inbound_producer(self) -> str:
        """The producer part of its inbound topics' names (``police-feed-inbound``)."""
        return f"{self.name}-inbound"


SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo("gateway", "gateway", 8000, "user sessions only"),
    ServiceInfo("front-door", "front_door", 8001, "contacts, person index, enquiries, decisions"),
    ServiceInfo(
        "police-feed",
        "police_feed",
        8002,
        "police incidents and notifications",
        ("police-incident",),
    ),
    ServiceInfo(
        "health-feed",
        "health_feed",
        8003,
        "FHIR records received, CP-IS-style flags",
        ("fhir-bundle",),
    ),
    ServiceInfo(
        "education",
        "education",
        8004,
        "pupils, attendance, exclusions, SEN/EHCP",
        ("pupil", "attendance-concern", "exclusion"),
    ),
    ServiceInfo(
        "early-help",
        "early_help",
        8005,
        "early help episodes",
        ("episode", "episode-closure", "step-up-request"),
    ),
    ServiceInfo(
        "social-care",
        "social_care",
        8006,
        "child in need, CP plans, looked-after status",
        ("status-change", "step-down-request"),
    ),
)

SERVICES_BY_NAME: dict[str, ServiceInfo] = {s.name: s for s in SERVICES}


def port_env_var(service: str) -> str:
    """The environment variable that overrides a service's port, e.g. ``FRONT_DOOR_PORT``."""
    return service.upper().replace("-", "_") + "_PORT"
