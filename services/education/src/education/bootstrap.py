"""Wiring of the education service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app

from education.entrypoints.http import configure

SERVICE = "education"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the education app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Education and SEND",
        configure=configure,
    )
