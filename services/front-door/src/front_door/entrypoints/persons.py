"""The front door's internal API for the person index: potential duplicates and links.

Hub practitioners and managers review candidates and persons and may reject a
candidate (keeping two records apart is the safe direction); only a hub
manager confirms a link or reverses one. Tenant and role are enforced here
too (``hub_service.staff``); a view of a person is audited like a contact's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from hub_contracts.events.common import LongText
from hub_service import ServiceRuntime
from hub_service.clock import Clock
from hub_service.problems import problem_responses
from hub_service.staff import Role, StaffUser, staff_user
from pydantic import BaseModel, ConfigDict, Field

from front_door.entrypoints.contacts import RECORD_VIEWS
from front_door.service_layer.persons import (
    CandidateStatus,
    confirm_candidate,
    list_candidates,
    person_view,
    reject_candidate,
    unlink_person,
)

Reviewers = Annotated[StaffUser, Depends(staff_user(Role.PRACTITIONER, Role.MANAGER))]
Managers = Annotated[StaffUser, Depends(staff_user(Role.MANAGER))]
Tenant = Annotated[str, Path(description="Tenant id.")]
CandidateId = Annotated[str, Path(description="The hub's candidate match id (PC-...).")]
PersonId = Annotated[str, Path(description="The hub person id (HP-...).")]
TOTAL_COUNT = "X-Total-Count"
"""Response header of a paged list: how many items there are in all."""
PAGED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page, best score first (then by candidate id: pages are stable).",
        "headers": {
            TOTAL_COUNT: {
                "description": "How many candidates of that status there are in all.",
                "schema": {"type": "integer"},
            }
        },
    }
}


class IdentityDecision(BaseModel):
    """A decision on a candidate match or a link, with its reason (audited)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: LongText = Field(description="Why, in the decision-maker's words (required).")


def persons_router(runtime: ServiceRuntime, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/v1/{tenant}", tags=["person index"])

    @router.get(
        "/person-candidates",
        summary="Potential duplicates for review, a page at a time, best score first, "
        "with the evidence; the total in X-Total-Count",
        responses={**PAGED, **problem_responses(401, 403)},
    )
    async def candidates(
        user: Reviewers,
        tenant: Tenant,
        response: Response,
        status: Annotated[
            CandidateStatus, Query(description="open, confirmed or rejected.")
        ] = CandidateStatus.OPEN,
        limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 100,
        offset: Annotated[int, Query(ge=0, description="Candidates to skip (page start).")] = 0,
    ) -> list[dict[str, Any]]:
        page = await list_candidates(runtime.database(tenant), status, limit, offset)
        response.headers[TOTAL_COUNT] = str(page.total)
        return page.items

    @router.post(
        "/person-candidates/{candidate_id}/confirmation",
        summary="Confirm a candidate (hub manager): link the two persons; audited",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def confirm(
        user: Managers, tenant: Tenant, candidate_id: CandidateId, decision: IdentityDecision
    ) -> dict[str, Any]:
        return await confirm_candidate(runtime, clock, tenant, candidate_id, decision.reason, user)

    @router.post(
        "/person-candidates/{candidate_id}/rejection",
        summary="Reject a candidate: never suggested again; audited",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def reject(
        user: Reviewers, tenant: Tenant, candidate_id: CandidateId, decision: IdentityDecision
    ) -> dict[str, Any]:
        return await reject_candidate(runtime, clock, tenant, candidate_id, decision.reason, user)

    @router.post(
        "/persons/{person_id}/unlink",
        summary="Reverse the link that merged this person into another (hub manager); audited",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def unlink(
        user: Managers, tenant: Tenant, person_id: PersonId, decision: IdentityDecision
    ) -> dict[str, Any]:
        return await unlink_person(runtime, clock, tenant, person_id, decision.reason, user)

    @router.get(
        "/persons/{person_id}",
        summary="One person: identifiers, survivor, linked persons, candidates (audited view)",
        responses=problem_responses(401, 403, 404),
    )
    async def person(user: Reviewers, tenant: Tenant, person_id: PersonId) -> dict[str, Any]:
        db = runtime.database(tenant)
        view = await person_view(db, person_id)
        await db[RECORD_VIEWS].insert_one(
            {
                "user_id": user.user_id,
                "roles": sorted(user.roles),
                "person_id": person_id,
                "purpose": user.purpose,
                "viewed_at": datetime.now(UTC),
            }
        )
        return view

    return router
