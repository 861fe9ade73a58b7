"""The joined-up view of a child, who looked at it, and facts not yet linked to anyone.

Every view is audited in ``record_views`` (who, what, when, why) before it is
returned; managers and auditors read that log per child.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from hub_service import ServiceRuntime
from hub_service.clock import Clock
from hub_service.problems import ProblemError, problem_responses
from hub_service.staff import Role, StaffUser, staff_user
from pymongo.asynchronous.database import AsyncDatabase

from front_door.adapters.facts import (
    ACCESS_LOG_SORT,
    RECORD_VIEW_INDEX,
    person_facts,
    unlinked_facts,
)
from front_door.adapters.persons import PERSONS
from front_door.domain.view import assemble_view, timeline_entry
from front_door.entrypoints.contacts import RECORD_VIEWS
from front_door.service_layer.intake import CONTACTS

Document = dict[str, Any]
Readers = Annotated[StaffUser, Depends(staff_user(Role.PRACTITIONER, Role.MANAGER))]
LogReaders = Annotated[StaffUser, Depends(staff_user(Role.MANAGER, Role.AUDITOR))]
Tenant = Annotated[str, Path(description="Tenant id.")]
PersonId = Annotated[str, Path(description="The hub person id (HP-...).")]
CONTACT_FIELDS = {
    "status": 1,
    "received_at": 1,
    "origin_agency": 1,
    "rag_rating": 1,
    "rag_rating_as_received": 1,
    "rated_at": 1,
    "rated_by": 1,
    "decision": 1,
}
"""What the view takes from the hub's contacts: its own ratings and decisions."""


async def ensure_view_indexes(db: AsyncDatabase[Document]) -> None:
    """The view reads by person: facts, contacts and the access log each by ``person_id``."""
    await db[CONTACTS].create_index("person_id")
    await db[CONTACTS].create_index("origin_event_id")
    await db[RECORD_VIEWS].create_index(RECORD_VIEW_INDEX)


async def _audit(
    db: AsyncDatabase[Document], user: StaffUser, person_id: str | None, what: str, **extra: Any
) -> None:
    await db[RECORD_VIEWS].insert_one(
        {
            "user_id": user.user_id,
            "roles": sorted(user.roles),
            "person_id": person_id,
            "what": what,
            "purpose": user.purpose,
            "viewed_at": datetime.now(UTC),
            **extra,
        }
    )


def view_router(runtime: ServiceRuntime, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/v1/{tenant}", tags=["joined-up view"])

    async def joined_up_view(
        tenant: str, person_id: str, user: StaffUser, contact_id: str | None = None
    ) -> Document:
        db = runtime.database(tenant)
        # three independent reads at once: one round trip's latency, not three
        person, facts, contacts = await asyncio.gather(
            db[PERSONS].find_one({"_id": person_id}),
            person_facts(db, person_id),
            db[CONTACTS].find({"person_id": person_id}, CONTACT_FIELDS).to_list(),
        )
        if person is None:
            raise ProblemError(404, "person-not-found", f"no person {person_id}")
        await _audit(db, user, person_id, "joined-up-view", contact_id=contact_id)
        return assemble_view(person, facts, contacts, clock.now())

    @router.get(
        "/persons/{person_id}/view",
        summary="The joined-up view of a child: timeline with provenance, statuses, household, "
        "consent and sharing (the view is audited)",
        responses=problem_responses(401, 403, 404),
    )
    async def person_view(user: Readers, tenant: Tenant, person_id: PersonId) -> Document:
        return await joined_up_view(tenant, person_id, user)

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
        db = runtime.database(tenant)
        contact = await db[CONTACTS].find_one({"_id": contact_id}, {"person_id": 1})
        if contact is None:
            raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
        return await joined_up_view(tenant, str(contact["person_id"]), user, contact_id)

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
        db = runtime.database(tenant)
        if await db[PERSONS].find_one({"_id": person_id}, {"_id": 1}) is None:
            raise ProblemError(404, "person-not-found", f"no person {person_id}")
        cursor = (
            db[RECORD_VIEWS]
            .find({"person_id": person_id}, {"_id": 0})
            .sort(ACCESS_LOG_SORT)
            .limit(limit)
        )
        return {"person_id": person_id, "views": await cursor.to_list()}

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
        db = runtime.database(tenant)
        facts = await unlinked_facts(db, limit)
        await _audit(db, user, None, "unlinked-facts", count=len(facts))
        return [timeline_entry(f) for f in facts]

    return router
