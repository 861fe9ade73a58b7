"""HTTP routes of health-feed's own: the CP-IS-style check and what went unmatched.

The agency kit gives the record, enquiry and inbox routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from hub_agency.clients import Principal, authenticated
from hub_contracts.identifiers import normalise_nhs_number
from hub_messaging.documents import Document
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock
from hub_service.deps import TenantPath
from hub_service.problems import ProblemError, problem_responses

from health_feed.domain.attendance import INVALID_NHS_NUMBER
from health_feed.service_layer.cp_is import (
    AccessLogged,
    CheckFlags,
    FlagCheckAnswer,
    accesses_of,
    check_flags,
    status_change_counts,
    unmatched_changes,
)


def _nhs_number(value: str) -> str:
    try:
        return normalise_nhs_number(value)
    except ValueError as exc:
        raise ProblemError(422, INVALID_NHS_NUMBER, str(exc)) from exc


def cp_is_router(runtime: ServiceRuntime, clock: Clock) -> APIRouter:
    """The CP-IS-style check for unscheduled care, its access log, and what went unmatched."""
    router = APIRouter(prefix="/v1/{tenant}/cp-is", tags=["cp-is"])

    @router.post(
        "/checks",
        summary="Check a child's child protection / looked-after flags (CP-IS style)",
        description=(
            "Shows active child protection plan and looked-after statuses, and those ended in "
            "the last 12 months, with the responsible authority's numbers. Each check that "
            "shows a flag is logged (latest 25 kept) and the responsible authority is notified "
            "(`record-accessed`, one per status shown)."
        ),
        responses=problem_responses(401, 403, 404, 422),
    )
    async def check(
        command: CheckFlags,
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: TenantPath,
    ) -> FlagCheckAnswer:
        nhs_number = _nhs_number(command.nhs_number)
        return await check_flags(runtime, tenant, command, nhs_number, clock)

    @router.get(
        "/flags/{nhs_number}/accesses",
        summary="Who looked at a child's flag: the latest 25 accesses, newest first",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def accesses(
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: TenantPath,
        nhs_number: Annotated[str, Path(description="The child's NHS number.")],
    ) -> list[AccessLogged]:
        found = await accesses_of(runtime.database(tenant), _nhs_number(nhs_number))
        if found is None:
            raise ProblemError(404, "flag-not-found", "health holds no CP-IS flag for this child")
        return found

    @router.get(
        "/unmatched-status-changes",
        summary="Social care status changes that came without an NHS number",
        responses=problem_responses(401, 403, 404),
    )
    async def unmatched(
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: TenantPath,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[Document]:
        return await unmatched_changes(runtime.database(tenant), limit)

    @router.get(
        "/status-change-counts",
        summary="Status changes received, per status kind, by what was done with them",
        responses=problem_responses(401, 403, 404),
    )
    async def counts(
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: TenantPath,
    ) -> dict[str, dict[str, int]]:
        return await status_change_counts(runtime.database(tenant))

    return router
