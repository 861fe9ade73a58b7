"""HTTP routes and subscriptions of education.

- the school MIS records (pupils, attendance concerns, exclusions) through the
  agency kit's ingest, over HTTP or the inbound topics;
- Operation Encompass: each school's notifications and the DSL's acknowledgement;
- the hub's enquiries answered, and what the hub sent kept in the inbox.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query
from fastapi.responses import JSONResponse
from hub_agency import (
    INBOX,
    EnquiryAnswering,
    Principal,
    RecordIngest,
    authenticated,
    inbox_router,
    keep_in_inbox,
)
from hub_agency.people import CHILDREN
from hub_contracts.events import (
    ContactDecided,
    ContactReceived,
    OperationEncompassNotified,
    OperationEncompassOverdue,
)
from hub_contracts.events.common import URN_PATTERN
from hub_service import ServiceRuntime
from hub_service.problems import ProblemError, problem_responses
from hub_service.reference import reference_router

from education.adapters import mongo
from education.domain.encompass import (
    AcknowledgementOutcome,
    AcknowledgementRefused,
    AcknowledgementRequest,
    EncompassNotification,
    NotificationStatus,
)
from education.service_layer.encompass import (
    NotificationNotFound,
    acknowledge,
    on_notified,
    on_overdue,
)
from education.service_layer.enquiries import ANSWERED_BY_ROLE, search
from education.service_layer.records import RECORD_KINDS

Authenticated = Annotated[Principal, Depends(authenticated)]
TenantPath = Annotated[str, Path(description="Tenant id, e.g. 'stockton'.")]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many, newest first.")]


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach education's routes and subscribers."""
    ingest = RecordIngest(runtime, RECORD_KINDS)
    answering = EnquiryAnswering(runtime, search, ANSWERED_BY_ROLE)
    app.include_router(reference_router({"schools": "schools"}))
    app.include_router(ingest.router())
    app.include_router(encompass_router(runtime))
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    ingest.subscribe()
    runtime.consume(
        handlers={
            **answering.handlers,
            OperationEncompassNotified.event_name: on_notified,
            OperationEncompassOverdue.event_name: on_overdue,
            ContactReceived.event_name: keep_in_inbox,
            ContactDecided.event_name: keep_in_inbox,
        },
        collections=[
            *answering.collections,
            CHILDREN,
            INBOX,
            mongo.NOTIFICATIONS,
            mongo.OVERDUE_NOTICES,
        ],
    )

    async def create_indexes() -> None:
        for tenant in runtime.settings.tenants:
            await mongo.ensure_indexes(runtime.database(tenant))

    runtime.on_start.append(create_indexes)


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
