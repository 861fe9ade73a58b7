"""Wiring of the health-feed service: settings, clients, routes and subscribers."""

from functools import partial

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app
from hub_service.clock import Clock

from health_feed.entrypoints.http import configure

SERVICE = "health-feed"


def build_app(settings: ServiceSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the health-feed app; the broker and clients are made here, not at import.

    ``clock`` decides what "the last 12 months" of CP-IS flags means (tests fix it).
    """
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Health feed",
        configure=partial(configure, clock=clock),
    )
