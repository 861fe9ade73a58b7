"""Potential duplicates and persons through the JSON API: review, confirm (manager),
reject, the person page, and reversing a link (manager)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from hub_service.problems import problem_responses

from gateway.entrypoints.deps import ApiReader, ApiWriter, CandidatePath, PersonPath
from gateway.service_layer import identity
from gateway.service_layer.identity import IdentityReason

router = APIRouter(tags=["potential duplicates"])


@router.get(
    "/{tenant}/person-candidates",
    summary="Open potential duplicates with their evidence, best score first (audited)",
    responses=problem_responses(401, 403, 422, 502),
)
async def candidates(user: ApiReader) -> list[dict[str, Any]]:
    return await identity.open_candidates(user)


@router.post(
    "/{tenant}/person-candidates/{candidate_id}/confirmation",
    summary="Confirm a potential duplicate (hub manager): the two records become one",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def confirm(
    user: ApiWriter, candidate_id: CandidatePath, command: IdentityReason
) -> dict[str, Any]:
    return await identity.decide_candidate(user, candidate_id, "confirmation", command)


@router.post(
    "/{tenant}/person-candidates/{candidate_id}/rejection",
    summary="Reject a potential duplicate: never suggested again",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def reject(
    user: ApiWriter, candidate_id: CandidatePath, command: IdentityReason
) -> dict[str, Any]:
    return await identity.decide_candidate(user, candidate_id, "rejection", command)


@router.get(
    "/{tenant}/persons/{person_id}",
    summary="A person: linked agency records, linked persons, candidates (audited)",
    responses=problem_responses(401, 403, 404, 422, 502),
)
async def person(user: ApiReader, person_id: PersonPath) -> dict[str, Any]:
    return await identity.person_page(user, person_id)


@router.post(
    "/{tenant}/persons/{person_id}/unlink",
    summary="Reverse the link that merged this person into another (hub manager)",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def unlink(user: ApiWriter, person_id: PersonPath, command: IdentityReason) -> dict[str, Any]:
    return await identity.unlink(user, person_id, command)
