"""Wiring of the gateway's HTTP side: the JSON API, the pages, the one problem handler,
static files and security headers."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from hub_service.problems import ProblemError

from gateway.entrypoints import api, pages
from gateway.entrypoints.problems import problem_answer
from gateway.entrypoints.rendering import page_templates
from gateway.entrypoints.security import SecurityHeaders
from gateway.service_layer.context import Gateway
from gateway.settings import PACKAGE_DIR

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
