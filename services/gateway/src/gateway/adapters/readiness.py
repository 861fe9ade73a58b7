"""Readiness of every sibling service, asked of its ``/readyz`` over the same internal
HTTP the gateway uses for the front door (for ``/api/v1/status`` and the start page)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
from hub_contracts.services import SERVICES, port_env_var
from hub_service import ServiceSettings


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


async def hub_status(settings: ServiceSettings) -> dict[str, Any]:
    """The tenants, and whether each other service of the hub is ready."""
    others = [s.name for s in SERVICES if s.name != settings.service_name]
    async with httpx.AsyncClient(timeout=settings.probe_timeout_s + 1) as client:
        services = await asyncio.gather(*(_status(client, n) for n in others))
    return {"tenants": list(settings.tenants), "services": services}
