"""Wiring of the gateway service: settings, clock, the front door and the routes."""

import httpx
from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app
from hub_service.clock import Clock, SystemClock

from gateway.entrypoints.http import configure_with
from gateway.settings import GatewaySettings

SERVICE = "gateway"


def build_app(
    settings: ServiceSettings | None = None,
    gateway_settings: GatewaySettings | None = None,
    clock: Clock | None = None,
    front_door_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the gateway app; clients are made here, not at import.

    ``front_door_transport`` lets tests reach a front door running in-process.
    """
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Children's Hub gateway",
        configure=configure_with(
            gateway_settings or GatewaySettings(), clock or SystemClock(), front_door_transport
        ),
    )
