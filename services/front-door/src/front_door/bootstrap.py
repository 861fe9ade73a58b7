"""Wiring of the front-door service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app
from hub_service.clock import Clock, SystemClock

from front_door.entrypoints.http import configure_with

SERVICE = "front-door"


def build_app(settings: ServiceSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the front-door app; the broker and clients are made here, not at import.

    ``clock`` is the time every statutory clock reads (tests pass a ``FixedClock``).
    """
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Children's Hub front door",
        configure=configure_with(clock or SystemClock()),
    )
