"""HTTP routes of early help's own: episodes with their current state, referrals received.

The agency kit gives the record, enquiry and inbox routes; its list of
accepted episodes is not built (``bootstrap.configure``), since
``GET /episodes`` here serves each episode's current state.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from hub_agency.clients import Principal, authenticated
from hub_messaging.documents import Document
from hub_service.app import ServiceRuntime
from hub_service.deps import TenantPath
from hub_service.problems import problem_responses

from early_help.adapters import mongo
from early_help.domain.episodes import EpisodeStatus
from early_help.domain.referrals import ReferralStatus

Limit = Annotated[int, Query(ge=1, le=500, description="At most this many, newest first.")]


def casework_router(runtime: ServiceRuntime) -> APIRouter:
    """``GET /episodes`` (current state) and ``GET /referrals`` (received referrals)."""
    router = APIRouter(prefix="/v1/{tenant}", tags=["casework"])

    @router.get(
        "/episodes",
        summary="Episodes with their current state, newest first",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def list_episodes(
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: TenantPath,
        status: Annotated[
            EpisodeStatus | None, Query(description="Only open or only closed episodes.")
        ] = None,
        limit: Limit = 100,
    ) -> list[Document]:
        return await mongo.list_episodes(runtime.database(tenant), status, limit)

    @router.get(
        "/referrals",
        summary="Referrals from the hub and step-down requests from social care",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def list_referrals(
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: TenantPath,
        status: Annotated[
            ReferralStatus | None,
            Query(description="e.g. 'awaiting-allocation' for the allocation queue."),
        ] = None,
        limit: Limit = 100,
    ) -> list[Document]:
        return await mongo.list_referrals(runtime.database(tenant), status, limit)

    return router
