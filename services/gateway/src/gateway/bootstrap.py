"""Wiring of the gateway service: settings, clock, the front door, sessions and the routes."""

from functools import partial

import httpx
from fastapi import FastAPI
from hub_service import ServiceRuntime, ServiceSettings, create_service_app
from hub_service.clock import Clock, SystemClock

from gateway.adapters.accounts import LocalAccounts
from gateway.adapters.audit import USER_ACTIONS, SignInAudit
from gateway.adapters.front_door import FrontDoor
from gateway.adapters.sessions import SessionStore
from gateway.entrypoints.http import attach
from gateway.service_layer.context import Gateway
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
        configure=partial(
            configure,
            settings=gateway_settings or GatewaySettings(),
            clock=clock or SystemClock(),
            front_door_transport=front_door_transport,
        ),
    )


def configure(
    runtime: ServiceRuntime,
    app: FastAPI,
    *,
    settings: GatewaySettings,
    clock: Clock,
    front_door_transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Attach the gateway's routes, static files and start-up steps to the runtime."""
    deployment_db = runtime.mongo[settings.session_database]
    gw = Gateway(
        runtime=runtime,
        settings=settings,
        clock=clock,
        front_door=FrontDoor(
            settings.front_door_url, settings.front_door_timeout_s, front_door_transport
        ),
        sessions=SessionStore(deployment_db, settings.session_idle, settings.session_absolute),
        identity=LocalAccounts([runtime.database(t) for t in runtime.settings.tenants]),
        sign_ins=SignInAudit(deployment_db),
    )
    attach(app, gw)

    async def prepare() -> None:
        await gw.sessions.prepare()
        await gw.sign_ins.prepare()
        for tenant in runtime.settings.tenants:
            db = runtime.database(tenant)
            await db[USER_ACTIONS].create_index([("contact_id", 1), ("at", -1)])
            await db[USER_ACTIONS].create_index([("person_id", 1), ("at", -1)])

    runtime.on_start.append(prepare)
