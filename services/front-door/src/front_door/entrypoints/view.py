"""The joined-up view of a child, who looked at it, and facts not yet linked to anyone.

Every view is audited in ``record_views`` (who, what, when, why) before it is
returned; managers and auditors read that log per child.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from hub_messaging.documents import Document
from hub_service.clock import Clock
from hub_service.problems import problem_responses
from hub_service.staff import Role, StaffUser, staff_user

from front_door.domain.view import timeline_entry
from front_door.service_layer import reads
from front_door.service_layer.unit_of_work import UnitOfWorkFactory

Readers = Annotated[StaffUser, Depends(staff_user(Role.PRACTITIONER, Role.MANAGER))]
LogReaders = Annotated[StaffUser, Depends(staff_user(Role.MANAGER, Role.AUDITOR))]
Tenant = Annotated[str, Path(description="Tenant id.")]
PersonId = Annotated[str, Path(description="The hub person id (HP-...).")]


def view_router(uows: UnitOfWorkFactory, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/v1/{tenant}", tags=["joined-up view"])

    @router.get(
        "/persons/{person_id}/view",
        summary="The joined-up view of a child: timeline with provenance, statuses, household, "
        "consent and sharing (the view is audited)",
        responses=problem_responses(401, 403, 404),
    )
    async def person_view(user: Readers, tenant: Tenant, person_id: PersonId) -> Document:
        return await reads.joined_up_view(uows.reading(tenant), clock.now(), person_id, user)

    @router.get(
        "/contacts/{contact_id}/view",
        summary="The joined-up view of the child a contact is about (the view is audited)",
        responses=problem_responses(401, 403, 404),
    )
    async def contact_view(
        user: Readers,
        tenant: Tenant,
        contact_id: Annotated[str, Path(description="The hub's contact id.")],
    ) -> Document:
        return await reads.contact_view(uows.reading(tenant), clock.now(), contact_id, user)

    @router.get(
        "/persons/{person_id}/access-log",
        summary="Who looked at this child: every audited view, newest first",
        responses=problem_responses(401, 403, 404),
    )
    async def access_log(
        user: LogReaders,
        tenant: Tenant,
        person_id: PersonId,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> Document:
        views = await reads.access_log(uows.reading(tenant), person_id, limit)
        return {"person_id": person_id, "views": [v.record() for v in views]}

    @router.get(
        "/unlinked-facts",
        summary="Facts no deterministic link ties to a person yet (kept and visible; audited)",
        responses=problem_responses(401, 403),
    )
    async def unlinked(
        user: Readers,
        tenant: Tenant,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[Document]:
        facts = await reads.unlinked_facts(uows.reading(tenant), user, limit)
        return [timeline_entry(f.record()) for f in facts]

    return router
