"""Wiring of the gateway's HTTP side: status, the JSON API, the pages, static files.

The status routes (``/api/v1/status`` and the start page ``/``) ask every
sibling service's ``/readyz`` over the same internal HTTP the gateway uses
for the front door.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from hub_contracts.services import SERVICES, port_env_var
from hub_service import ServiceRuntime
from hub_service.clock import Clock

from gateway.adapters.accounts import LocalAccounts
from gateway.adapters.audit import USER_ACTIONS, SignInAudit
from gateway.adapters.front_door import FrontDoor
from gateway.adapters.sessions import SessionStore
from gateway.entrypoints.api import api_router
from gateway.entrypoints.pages import pages_router
from gateway.entrypoints.review_pages import review_pages_router
from gateway.entrypoints.security import SecurityHeaders
from gateway.service_layer.context import Gateway
from gateway.settings import PACKAGE_DIR, GatewaySettings

log = logging.getLogger("gateway")


def service_url(name: str) -> str:
    """Base URL of a sibling service: ``<SERVICE>_URL`` or localhost on its port."""
    env = port_env_var(name).removesuffix("_PORT") + "_URL"
    port = os.environ.get(port_env_var(name))
    default_port = next(s.port for s in SERVICES if s.name == name)
    return os.environ.get(env, f"http://127.0.0.1:{port or default_port}")


async def _status(client: httpx.AsyncClient, name: str) -> dict[str, Any]:
    try:
        response = await client.get(f"{service_url(name)}/readyz")
        body = response.json()
        return {"service": name, "ready": response.status_code == 200, "checks": body["checks"]}
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        return {"service": name, "ready": False, "checks": {"http": type(exc).__name__}}


def configure_with(
    settings: GatewaySettings,
    clock: Clock,
    front_door_transport: httpx.AsyncBaseTransport | None = None,
) -> Callable[[ServiceRuntime, FastAPI], None]:
    def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
        """Attach the gateway's routes, static files and start-up steps."""
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
        app.state.gateway = gw

        @app.get("/api/v1/status", tags=["status"], summary="Readiness of every hub service.")
        async def status() -> dict[str, Any]:
            others = [s.name for s in SERVICES if s.name != runtime.settings.service_name]
            async with httpx.AsyncClient(timeout=runtime.settings.probe_timeout_s + 1) as client:
                services = await asyncio.gather(*(_status(client, n) for n in others))
            return {"tenants": list(runtime.settings.tenants), "services": services}

        app.include_router(api_router())
        app.include_router(pages_router(status))
        app.include_router(review_pages_router())
        app.mount(
            "/static/gateway",
            StaticFiles(directory=PACKAGE_DIR / "static"),
            name="gateway-static",
        )
        if (settings.assets_dir / "govuk-frontend.min.css").is_file():
            app.mount("/static/govuk", StaticFiles(directory=settings.assets_dir), name="govuk")
            app.mount(
                "/assets", StaticFiles(directory=settings.assets_dir / "assets"), name="assets"
            )
        else:
            log.warning("GOV.UK Frontend not installed: run npm ci in services/gateway")
        app.add_middleware(SecurityHeaders)

        async def prepare() -> None:
            await gw.sessions.prepare()
            await gw.sign_ins.prepare()
            for tenant in runtime.settings.tenants:
                db = runtime.database(tenant)
                await db[USER_ACTIONS].create_index([("contact_id", 1), ("at", -1)])
                await db[USER_ACTIONS].create_index([("person_id", 1), ("at", -1)])

        runtime.on_start.append(prepare)

    return configure
