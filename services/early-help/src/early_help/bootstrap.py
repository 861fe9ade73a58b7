"""Wiring of the early-help service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app

from early_help.entrypoints.http import configure

SERVICE = "early-help"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the early-help app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE), title="Early help", configure=configure
    )
