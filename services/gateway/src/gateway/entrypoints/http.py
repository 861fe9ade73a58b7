"""Wiring of the gateway's HTTP side: the JSON API, the pages, the one problem handler,
static files and security headers."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from hub_service import ServiceRuntime
from hub_service.clock import Clock
from hub_service.problems import ProblemError

from gateway.adapters.accounts import LocalAccounts
from gateway.adapters.audit import USER_ACTIONS, SignInAudit
from gateway.adapters.front_door import FrontDoor
from gateway.adapters.sessions import SessionStore
from gateway.entrypoints import api, pages
from gateway.entrypoints.problems import problem_answer
from gateway.entrypoints.rendering import page_templates
from gateway.entrypoints.security import SecurityHeaders
from gateway.service_layer.context import Gateway
from gateway.settings import PACKAGE_DIR, GatewaySettings

log = logging.getLogger("gateway")


def attach(app: FastAPI, gw: Gateway) -> None:
    """The gateway's HTTP side on ``app``, working with ``gw``: the JSON API, the pages
    and their templates, the one problem handler, static files and security headers."""
    app.state.gateway = gw
    app.state.templates = page_templates()
    app.include_router(api.router)
    app.include_router(pages.router)
    # replaces the service kit's handler: pages get a page, the API its problem JSON
    app.exception_handler(ProblemError)(problem_answer)
    app.mount(
        "/static/gateway", StaticFiles(directory=PACKAGE_DIR / "static"), name="gateway-static"
    )
    assets = gw.settings.assets_dir
    if (assets / "govuk-frontend.min.css").is_file():
        app.mount("/static/govuk", StaticFiles(directory=assets), name="govuk")
        app.mount("/assets", StaticFiles(directory=assets / "assets"), name="assets")
    else:
        log.warning("GOV.UK Frontend not installed: run npm ci in services/gateway")
    app.add_middleware(SecurityHeaders)


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
        attach(app, gw)

        async def prepare() -> None:
            await gw.sessions.prepare()
            await gw.sign_ins.prepare()
            for tenant in runtime.settings.tenants:
                db = runtime.database(tenant)
                await db[USER_ACTIONS].create_index([("contact_id", 1), ("at", -1)])
                await db[USER_ACTIONS].create_index([("person_id", 1), ("at", -1)])

        runtime.on_start.append(prepare)

    return configure
