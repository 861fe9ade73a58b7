"""Wiring of the social-care service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app

from social_care.entrypoints.http import configure

SERVICE = "social-care"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the social-care app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Children's social care",
        configure=configure,
    )
