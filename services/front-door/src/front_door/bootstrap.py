"""Wiring of the front-door service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app

from front_door.entrypoints.http import configure

SERVICE = "front-door"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the front-door app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Children's Hub front door",
        configure=configure,
    )
