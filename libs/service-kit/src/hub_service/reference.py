"""Per-tenant reference data a service keeps (schools, teams, authority contacts).

Loaded from the service package's ``demo/<tenant>.json`` by ``load-demo`` and read
through a small tenant-scoped API, so the data each service starts with is
visible to its agency.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from hub_contracts.tenancy import UnknownTenantError

from hub_service.app import ServiceRuntime
from hub_service.deps import TenantPath


def reference_router(collections: dict[str, str]) -> APIRouter:
    """Read-only routes ``GET /v1/{tenant}/<name>`` over the given collections."""
    router = APIRouter(prefix="/v1/{tenant}", tags=["reference data"])

    for route, collection in collections.items():

        async def list_items(
            request: Request, tenant: TenantPath, _collection: str = collection
        ) -> list[dict[str, Any]]:
            runtime: ServiceRuntime = request.app.state.runtime
            try:
                db = runtime.database(tenant)
            except UnknownTenantError as exc:
                raise HTTPException(
                    status_code=404, detail={"error": "unknown-tenant", "reason": exc.reason}
                ) from exc
            return [doc async for doc in db[_collection].find({}).sort("_id", 1).limit(500)]

        router.add_api_route(f"/{route}", list_items, methods=["GET"], summary=f"List {route}")
    return router


def read_demo_data(package: str, tenant: str) -> dict[str, Any]:
    """The demo data a service package ships for ``tenant`` (empty if none).

    Reference collections (name -> documents), and agency records under ``records``.
    """
    resource = resources.files(package).joinpath("demo", f"{tenant}.json")
    if not resource.is_file():
        return {}
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data
