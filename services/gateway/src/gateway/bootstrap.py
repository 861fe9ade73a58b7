"""Wiring of the gateway service."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app

from gateway.entrypoints.http import configure

SERVICE = "gateway"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the gateway app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Children's Hub gateway",
        configure=configure,
    )
