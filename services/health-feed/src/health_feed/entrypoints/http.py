"""HTTP routes of health-feed's own: FHIR Bundles as sent, the CP-IS-style check, what went
unmatched.

The agency kit gives the record, enquiry and inbox routes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from hub_agency.clients import Principal, authenticated
from hub_agency.domain import Rejected
from hub_agency.ingest import IngestOutcome, RecordIngest
from hub_contracts.codes import RagRating
from hub_contracts.identifiers import normalise_nhs_number
from hub_messaging.documents import Document
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock
from hub_service.deps import TenantPath
from hub_service.problems import ProblemError, problem_responses
from pydantic import ValidationError

from health_feed.domain.attendance import INVALID_FHIR, INVALID_NHS_NUMBER, BundleRefused
from health_feed.domain.fhir_formats import (
    JSON_MEDIA_TYPES,
    XML_MEDIA_TYPES,
    bundle_from_json,
    bundle_from_xml,
    record_id_of,
)
from health_feed.domain.records import FhirBundleRecord
from health_feed.service_layer.attendances import FHIR_BUNDLES
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


def fhir_router(ingest: RecordIngest) -> APIRouter:
    """``POST /v1/{tenant}/fhir/Bundle``: a FHIR Bundle as the trust system sends it.

    The body is the Bundle itself, JSON or XML (``Content-Type``
    ``application/fhir+json`` or ``application/fhir+xml``); its record id is
    ``Bundle.identifier.value`` (else ``Bundle.id``). It is then ingested
    exactly as a ``fhir-bundle`` record is.
    """
    router = APIRouter(prefix="/v1/{tenant}/fhir", tags=["records"])

    @router.post(
        "/Bundle",
        summary="Record an attendance sent as a FHIR Bundle (JSON or XML)",
        status_code=201,
        response_model=IngestOutcome,
        responses={
            200: {"model": IngestOutcome, "description": "The same bundle was sent again."},
            **problem_responses(401, 403, 404, 409, 413, 415, 422),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/fhir+json": {"schema": {"type": "object"}},
                    "application/fhir+xml": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def post_bundle(
        request: Request,
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: TenantPath,
        rag_rating: Annotated[
            RagRating | None,
            Query(description="The clinician's own urgency rating, if given."),
        ] = None,
    ) -> Any:
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        body = await request.body()
        try:
            if media in XML_MEDIA_TYPES:
                bundle = bundle_from_xml(body)
            elif media in JSON_MEDIA_TYPES:
                bundle = bundle_from_json(body)
            else:
                raise ProblemError(
                    415,
                    "unsupported-media-type",
                    f"send application/fhir+json or application/fhir+xml, not {media[:60]!r}",
                )
            record = FhirBundleRecord(
                record_id=record_id_of(bundle), bundle=bundle, rag_rating=rag_rating
            )
        except BundleRefused as exc:
            raise ProblemError(422, exc.reason, exc.where) from exc
        except ValidationError as exc:
            raise ProblemError(
                422,
                INVALID_FHIR,
                "Bundle.identifier.value / Bundle.id: not usable as a record id "
                "(letters, digits, '.', '_', ':' and '-', at most 100)",
            ) from exc
        try:
            outcome = await ingest.ingest(
                FHIR_BUNDLES, tenant, record, principal=principal.name, via="http"
            )
        except Rejected as exc:
            raise ProblemError(exc.status, exc.reason, exc.detail) from exc
        status = 201 if outcome.status == "accepted" else 200
        return JSONResponse(outcome.model_dump(mode="json"), status_code=status)

    return router
