"""HTTP routes of the gateway.

Until staff sign-in lands, the gateway shows the hub's status: which services
are ready, asked over the same internal HTTP the gateway will use for the front
door.
"""

from __future__ import annotations

import asyncio
import html
import os
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from hub_contracts.services import SERVICES, port_env_var
from hub_service import ServiceRuntime


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


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach the gateway's routes."""

    @app.get("/api/v1/status", tags=["status"], summary="Readiness of every hub service.")
    async def status() -> dict[str, Any]:
        others = [s.name for s in SERVICES if s.name != runtime.settings.service_name]
        async with httpx.AsyncClient(timeout=runtime.settings.probe_timeout_s + 1) as client:
            services = await asyncio.gather(*(_status(client, n) for n in others))
        return {"tenants": list(runtime.settings.tenants), "services": services}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home() -> str:
        data = await status()
        rows = "".join(
            f"<tr><td>{html.escape(s['service'])}</td>"
            f"<td>{'ready' if s['ready'] else 'not ready'}</td></tr>"
            for s in data["services"]
        )
        tenants = ", ".join(html.escape(t) for t in data["tenants"])
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Children's Hub</title></head><body><main>"
            f"<h1>Children's Hub</h1><p>Tenants: {tenants}</p>"
            "<table><caption>Service status</caption><thead><tr><th scope='col'>Service</th>"
            f"<th scope='col'>Status</th></tr></thead><tbody>{rows}</tbody></table>"
            "</main></body></html>"
        )
