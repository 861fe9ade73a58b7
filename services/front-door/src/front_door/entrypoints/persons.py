"""The front door's internal API for the person index: potential duplicates and links.

Hub practitioners and managers review candidates and persons and may reject a
candidate (keeping two records apart is the safe direction); only a hub
manager confirms a link or reverses one. Tenant and role are enforced here
too (``hub_service.staff``); a view of a person is audited like a contact's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from hub_contracts.events.common import LongText
from hub_service.clock import Clock
from hub_service.problems import problem_responses
from hub_service.staff import Role, StaffUser, staff_user
from pydantic import BaseModel, ConfigDict, Field

from front_door.domain.candidates import Candidate, CandidateStatus
from front_door.domain.persons import Person
from front_door.service_layer import reads
from front_door.service_layer.persons import confirm_candidate, reject_candidate, unlink_person
from front_door.service_layer.unit_of_work import UnitOfWorkFactory

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


def persons_router(uows: UnitOfWorkFactory, clock: Clock) -> APIRouter:
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
        page = await reads.candidate_page(uows.reading(tenant), status, limit, offset)
        response.headers[TOTAL_COUNT] = str(page.total)
        return [
            {
                **candidate_public(c),
                "new_person": person_summary(new),
                "existing_person": person_summary(existing),
            }
            for c, new, existing in page.items
        ]

    @router.post(
        "/person-candidates/{candidate_id}/confirmation",
        summary="Confirm a candidate (hub manager): link the two persons; audited",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def confirm(
        user: Managers, tenant: Tenant, candidate_id: CandidateId, decision: IdentityDecision
    ) -> dict[str, Any]:
        linked = await confirm_candidate(uows, clock, tenant, candidate_id, decision.reason, user)
        return {
            "change_id": linked.change_id,
            "action": "linked",
            "survivor_id": linked.survivor_id,
            "merged_person_id": linked.merged_person_id,
            "repointed": linked.repointed.counts(),
        }

    @router.post(
        "/person-candidates/{candidate_id}/rejection",
        summary="Reject a candidate: never suggested again; audited",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def reject(
        user: Reviewers, tenant: Tenant, candidate_id: CandidateId, decision: IdentityDecision
    ) -> dict[str, Any]:
        change_id = await reject_candidate(uows, clock, tenant, candidate_id, decision.reason, user)
        return {"change_id": change_id, "action": "rejected", "candidate_id": candidate_id}

    @router.post(
        "/persons/{person_id}/unlink",
        summary="Reverse the link that merged this person into another (hub manager); audited",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def unlink(
        user: Managers, tenant: Tenant, person_id: PersonId, decision: IdentityDecision
    ) -> dict[str, Any]:
        unlinked = await unlink_person(uows, clock, tenant, person_id, decision.reason, user)
        return {
            "change_id": unlinked.change_id,
            "action": "unlinked",
            "survivor_id": unlinked.survivor_id,
            "person_id": unlinked.person_id,
            "restored": unlinked.restored.counts(),
        }

    @router.get(
        "/persons/{person_id}",
        summary="One person: identifiers, survivor, linked persons, candidates (audited view)",
        responses=problem_responses(401, 403, 404),
    )
    async def person(user: Reviewers, tenant: Tenant, person_id: PersonId) -> dict[str, Any]:
        found = await reads.person_record(uows.reading(tenant), person_id, user)
        person = found.person
        return {
            **person_summary(person),
            "identifiers": [i.record() for i in person.identifiers],
            "nhs_number": person.nhs_number,
            "merged_into": person.merged_into,
            "survivor_id": found.survivor.person_id,
            "linked_persons": [
                {
                    "person_id": p.person_id,
                    "identifiers": [i.record() for i in p.identifiers],
                    "nhs_number": p.nhs_number,
                    "linked_at": p.link.linked_at if p.link else None,
                    "change_id": p.link.change_id if p.link else None,
                }
                for p in found.linked
            ],
            "candidates": [candidate_public(c) for c in found.candidates],
        }

    return router


def candidate_public(candidate: Candidate) -> dict[str, Any]:
    """The candidate as held, with its id as ``candidate_id`` (without the pair key)."""
    record = candidate.record()
    out = {k: v for k, v in record.items() if k not in ("_id", "pair")}
    out["candidate_id"] = candidate.candidate_id
    return out


def person_summary(person: Person | None) -> dict[str, Any]:
    """Who a person is, enough to compare two (the postcode, whether an NHS number is held)."""
    if person is None:
        return {}
    return {
        "person_id": person.person_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "sex": person.sex,
        "postcode": person.address.postcode if person.address else None,
        "has_nhs_number": bool(person.nhs_number),
        "merged_into": person.merged_into,
    }
