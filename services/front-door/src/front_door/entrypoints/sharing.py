"""The front door's internal API for sharing decisions about a child's record.

Hub managers only: sharing a child's record without consent (with the reason,
the lawful basis other than consent, and who authorised it) or deciding not to
share it. Each decision is stored, shown in the child's sharing panel and
audited as ``sharing-decision-recorded``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from hub_service.clock import Clock
from hub_service.problems import problem_responses
from hub_service.staff import Role, StaffUser, staff_user

from front_door.domain.sharing import DecideNotToShare, ShareWithoutConsent
from front_door.service_layer.sharing import record_sharing_decision
from front_door.service_layer.unit_of_work import UnitOfWorkFactory

Managers = Annotated[StaffUser, Depends(staff_user(Role.MANAGER))]
Tenant = Annotated[str, Path(description="Tenant id.")]
PersonId = Annotated[str, Path(description="The hub person id (HP-...).")]


def sharing_router(uows: UnitOfWorkFactory, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/v1/{tenant}", tags=["consent and sharing"])

    @router.post(
        "/persons/{person_id}/shares-without-consent",
        summary="Record sharing the child's record with an agency without consent "
        "(hub manager): reason, lawful basis, authoriser; audited",
        status_code=201,
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def share_without_consent(
        user: Managers, tenant: Tenant, person_id: PersonId, command: ShareWithoutConsent
    ) -> dict[str, Any]:
        return await record_sharing_decision(uows, clock, tenant, person_id, command, user)

    @router.post(
        "/persons/{person_id}/decisions-not-to-share",
        summary="Record a decision not to share the child's record with an agency "
        "(hub manager), with its reason; audited",
        status_code=201,
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def decide_not_to_share(
        user: Managers, tenant: Tenant, person_id: PersonId, command: DecideNotToShare
    ) -> dict[str, Any]:
        return await record_sharing_decision(uows, clock, tenant, person_id, command, user)

    return router
