"""Wiring of the police-feed service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app

from police_feed.entrypoints.http import configure

SERVICE = "police-feed"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the police-feed app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE), title="Police feed", configure=configure
    )
