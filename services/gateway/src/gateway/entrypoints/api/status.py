"""``GET /api/v1/status``: readiness of every hub service (public)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway.entrypoints.deps import HubStatus

router = APIRouter()


@router.get("/status", tags=["status"], summary="Readiness of every hub service.")
async def status(hub_status: HubStatus) -> dict[str, Any]:
    return hub_status
