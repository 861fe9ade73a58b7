"""HTTP routes and subscriptions of early-help."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query
from fastapi.routing import APIRoute
from hub_agency import (
    INBOX,
    EnquiryAnswering,
    Principal,
    RecordIngest,
    authenticated,
    inbox_router,
)
from hub_agency.people import CHILDREN
from hub_service import ServiceRuntime
from hub_service.problems import problem_responses
from hub_service.reference import reference_router

from early_help.adapters import repository
from early_help.domain.episodes import EpisodeStatus
from early_help.domain.referrals import ReferralStatus
from early_help.service_layer import inbound
from early_help.service_layer.enquiries import ANSWERED_BY_ROLE, search_episodes
from early_help.service_layer.records import EPISODES, RECORD_KINDS

TenantPath = Annotated[str, Path(description="Tenant id, e.g. 'stockton'.")]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many, newest first.")]


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach early-help's routes and subscribers."""
    ingest = RecordIngest(runtime, RECORD_KINDS)
    answering = EnquiryAnswering(runtime, search_episodes, ANSWERED_BY_ROLE)
    app.include_router(reference_router({"teams": repository.TEAMS}))
    app.include_router(casework_router(runtime))
    app.include_router(_without_list(ingest.router(), f"/v1/{{tenant}}/{EPISODES.route}"))
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    ingest.subscribe()

    async def prepare() -> None:
        for tenant in runtime.settings.tenants:
            await repository.prepare(runtime.database(tenant))

    runtime.on_start.append(prepare)
    runtime.consume(
        handlers={**answering.handlers, **inbound.HANDLERS},
        collections=[*answering.collections, CHILDREN, INBOX, *repository.COLLECTIONS],
        on_consent_withdrawn=[inbound.consent_withdrawn],
    )


def _without_list(router: APIRouter, path: str) -> APIRouter:
    """The ingest routes minus its plain list at ``path``: ``casework_router`` serves it
    with each episode's current state, so the API documents one ``GET`` there."""
    router.routes = [
        r
        for r in router.routes
        if not (isinstance(r, APIRoute) and r.path == path and "GET" in (r.methods or ()))
    ]
    return router


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
    ) -> list[dict[str, Any]]:
        return await repository.list_episodes(runtime.database(tenant), status, limit)

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
    ) -> list[dict[str, Any]]:
        return await repository.list_referrals(runtime.database(tenant), status, limit)

    return router
