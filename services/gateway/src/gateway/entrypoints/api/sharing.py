"""Sharing decisions through the JSON API (hub manager): share a child's record without
consent, or record a decision not to share; both recorded and audited."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from hub_service.problems import problem_responses

from gateway.entrypoints.deps import ApiWriter, PersonPath
from gateway.service_layer import sharing
from gateway.service_layer.sharing import NotToShareRequest, ShareWithoutConsentRequest

router = APIRouter(tags=["consent and sharing"])


@router.post(
    "/{tenant}/persons/{person_id}/shares-without-consent",
    summary="Share the child's record with an agency without consent (hub manager): "
    "recipient, reason, lawful basis (not consent); recorded and audited",
    status_code=201,
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def share_without_consent(
    user: ApiWriter, person_id: PersonPath, command: ShareWithoutConsentRequest
) -> dict[str, Any]:
    return await sharing.record_decision(user, person_id, command)


@router.post(
    "/{tenant}/persons/{person_id}/decisions-not-to-share",
    summary="Record a decision not to share the child's record with an agency "
    "(hub manager), with its reason; audited",
    status_code=201,
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def not_to_share(
    user: ApiWriter, person_id: PersonPath, command: NotToShareRequest
) -> dict[str, Any]:
    return await sharing.record_decision(user, person_id, command)
