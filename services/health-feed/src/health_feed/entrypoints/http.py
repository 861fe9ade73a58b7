"""HTTP routes and subscribers of health-feed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query
from hub_agency import (
    EnquiryAnswering,
    Principal,
    RecordIngest,
    RecordKind,
    authenticated,
    inbox_router,
    keep_in_inbox,
)
from hub_contracts.events import (
    ContactDecided,
    ContactReceived,
    SocialCareStatusChanged,
    StrategyDiscussionRequested,
)
from hub_contracts.identifiers import normalise_nhs_number
from hub_service import ServiceRuntime
from hub_service.clock import Clock, SystemClock
from hub_service.problems import ProblemError, problem_responses
from hub_service.reference import reference_router

from health_feed.adapters.mongo import COLLECTIONS, ensure_indexes
from health_feed.domain.attendance import INVALID_NHS_NUMBER
from health_feed.domain.records import FhirBundleRecord
from health_feed.service_layer.attendances import apply_fhir_bundle
from health_feed.service_layer.cp_is import (
    AccessLogged,
    CheckFlags,
    FlagCheckAnswer,
    accesses_of,
    check_flags,
    on_status_changed,
    status_change_counts,
    unmatched_changes,
)
from health_feed.service_layer.enquiries import search_attendances

FHIR_BUNDLES = RecordKind(
    "fhir-bundle",
    "fhir-bundles",
    FhirBundleRecord,
    apply_fhir_bundle,
    "Record an unscheduled-care attendance (FHIR R4 Bundle, UK Core)",
)
ANSWERED_BY_ROLE = "MASH health liaison"


def configure(runtime: ServiceRuntime, app: FastAPI, clock: Clock | None = None) -> None:
    """Attach health-feed's routes and its one set of subscribers."""
    ingest = RecordIngest(runtime, [FHIR_BUNDLES])
    answering = EnquiryAnswering(runtime, search_attendances, ANSWERED_BY_ROLE)
    app.include_router(reference_router({"care-settings": "care_settings"}))
    app.include_router(ingest.router())
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    app.include_router(cp_is_router(runtime, clock or SystemClock()))
    ingest.subscribe()

    async def prepare() -> None:
        for tenant in runtime.settings.tenants:
            await ensure_indexes(runtime.database(tenant))

    runtime.on_start.append(prepare)
    runtime.consume(
        handlers={
            **answering.handlers,
            SocialCareStatusChanged.event_name: on_status_changed,
            ContactReceived.event_name: keep_in_inbox,
            ContactDecided.event_name: keep_in_inbox,
            StrategyDiscussionRequested.event_name: keep_in_inbox,
        },
        collections=[*answering.collections, *COLLECTIONS],
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
        tenant: Annotated[str, Path(description="Tenant id, e.g. 'stockton'.")],
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
        tenant: Annotated[str, Path(description="Tenant id.")],
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
        tenant: Annotated[str, Path(description="Tenant id.")],
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        return await unmatched_changes(runtime.database(tenant), limit)

    @router.get(
        "/status-change-counts",
        summary="Status changes received, per status kind, by what was done with them",
        responses=problem_responses(401, 403, 404),
    )
    async def counts(
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: Annotated[str, Path(description="Tenant id.")],
    ) -> dict[str, dict[str, int]]:
        return await status_change_counts(runtime.database(tenant))

    return router
