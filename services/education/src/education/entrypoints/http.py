"""HTTP routes of education's own: Operation Encompass for schools and the LA.

The agency kit gives the record (pupils, attendance concerns, exclusions),
enquiry and inbox routes; ``bootstrap.configure`` wires them all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.responses import JSONResponse
from hub_agency.clients import Principal, authenticated
from hub_contracts.events.common import URN_PATTERN
from hub_service.app import ServiceRuntime
from hub_service.deps import TenantPath
from hub_service.problems import ProblemError, problem_responses

from education.adapters import mongo
from education.domain.encompass import (
    AcknowledgementOutcome,
    AcknowledgementRefused,
    AcknowledgementRequest,
    EncompassNotification,
    NotificationStatus,
)
from education.service_layer.encompass import NotificationNotFound, acknowledge

Authenticated = Annotated[Principal, Depends(authenticated)]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many, newest first.")]


def encompass_router(runtime: ServiceRuntime) -> APIRouter:
    """Operation Encompass for schools (and the LA): read notifications, acknowledge them."""
    router = APIRouter(prefix="/v1/{tenant}", tags=["operation encompass"])

    @router.get(
        "/schools/{urn}/encompass-notifications",
        summary="A school's Operation Encompass notifications, newest first",
        description="Lists by URN, including a URN that is not one of the tenant's schools "
        "(those notifications have status `unknown-school`).",
        responses=problem_responses(401, 403, 404),
    )
    async def school_notifications(
        principal: Authenticated,
        tenant: TenantPath,
        urn: Annotated[str, Path(pattern=URN_PATTERN, description="The school's URN.")],
        limit: Limit = 100,
    ) -> list[EncompassNotification]:
        # any URN: the LA also reads what was sent to a URN that is not one of its schools
        return await mongo.notifications(runtime.database(tenant), school_urn=urn, limit=limit)

    @router.get(
        "/encompass-notifications",
        summary="All Operation Encompass notifications (the LA's view), newest first",
        description="Filter on `status=unknown-school` for notifications addressed to a URN "
        "that is not one of this tenant's schools, which the LA follows up.",
        responses=problem_responses(401, 403, 404),
    )
    async def all_notifications(
        principal: Authenticated,
        tenant: TenantPath,
        status: Annotated[
            NotificationStatus | None, Query(description="Only notifications in this status.")
        ] = None,
        limit: Limit = 100,
    ) -> list[EncompassNotification]:
        return await mongo.notifications(runtime.database(tenant), status=status, limit=limit)

    @router.post(
        "/encompass-notifications/{notification_id}/acknowledgement",
        summary="Acknowledge an Operation Encompass notification (the DSL has read it)",
        status_code=201,
        response_model=AcknowledgementOutcome,
        responses={
            200: {
                "model": AcknowledgementOutcome,
                "description": "Already acknowledged: the first acknowledgement, no new event.",
            },
            **problem_responses(401, 403, 404, 409, 422),
        },
    )
    async def acknowledgement(
        principal: Authenticated,
        tenant: TenantPath,
        notification_id: Annotated[str, Path(description="The police notification id.")],
        request: Annotated[AcknowledgementRequest, Body()],
    ) -> JSONResponse:
        try:
            outcome = await acknowledge(
                runtime, tenant, notification_id, request, acknowledged_by=principal.name
            )
        except NotificationNotFound as exc:
            raise ProblemError(
                404, "notification-not-found", f"no notification {notification_id}"
            ) from exc
        except AcknowledgementRefused as exc:
            raise ProblemError(409, exc.reason, exc.detail) from exc
        status = 201 if outcome.outcome == "acknowledged" else 200
        return JSONResponse(outcome.model_dump(mode="json"), status_code=status)

    return router
