"""Wiring of the police-feed service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app
from hub_service.clock import Clock

from police_feed.entrypoints.http import DEFAULT_OVERDUE_INTERVAL_S, configure_police_feed

SERVICE = "police-feed"


def build_app(
    settings: ServiceSettings | None = None,
    *,
    clock: Clock | None = None,
    overdue_interval_s: float = DEFAULT_OVERDUE_INTERVAL_S,
) -> FastAPI:
    """Build the police-feed app; the broker and clients are made here, not at import.

    ``clock`` and ``overdue_interval_s`` drive the Operation Encompass breach
    watch (the system clock, every minute, unless a test says otherwise).
    """
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Police feed",
        configure=configure_police_feed(clock, overdue_interval_s),
    )
