"""Enquiry status without the child's details: what agency liaisons may read.

An agency liaison chases their agency's answers to the hub's enquiries. They
need to know which contacts are open, how urgent they are, how long is left,
and which agencies have answered; they do not need the child's name, the
concern, the answers or the joined-up view. The enquiry id is what each agency's
own system already holds (it came with ``enquiry-requested``), so a liaison can
chase an answer without the hub disclosing anything more. Practitioners and
managers may read the same (they see more through the contact routes).
Reads of one contact's status are audited like any view of a child's record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from hub_messaging.documents import Document
from hub_service.clock import Clock
from hub_service.problems import problem_responses
from hub_service.staff import Role, StaffUser, staff_user

from front_door.domain.contacts import ContactClock, ContactStatus
from front_door.domain.enquiries import EnquiryState
from front_door.service_layer import reads
from front_door.service_layer.unit_of_work import UnitOfWorkFactory

Trackers = Annotated[
    StaffUser,
    Depends(staff_user(Role.AGENCY_LIAISON, Role.PRACTITIONER, Role.MANAGER)),
]
Tenant = Annotated[str, Path(description="Tenant id.")]


def status_row(contact: ContactClock, enquiries: Sequence[EnquiryState], now: datetime) -> Document:
    """One contact's clock and each agency's enquiry status. A decided contact has no
    running clock: it says when it was decided and whether that was in time."""
    decided = contact.status is ContactStatus.DECIDED
    deadline = contact.deadline
    return {
        "contact_id": contact.contact_id,
        "status": contact.status.value,
        "rag_rating": contact.rag_rating.value if contact.rag_rating else None,
        "received_at": contact.received_at,
        "origin_agency": contact.origin_agency.value,
        "deadline": deadline,
        "seconds_left": None if decided else int((deadline - now).total_seconds()),
        "decided_at": contact.decided_at,
        "decided_in_time": contact.decided_in_time,
        "enquiries": [
            {
                "enquiry_id": e.enquiry_id,
                "agency": e.agency.value,
                "status": e.status.value,
                "requested_at": e.requested_at,
                "respond_by": e.respond_by,
                "answered_at": e.answered_at,
                "late": e.late,
                "overdue": e.is_overdue(now),
            }
            for e in sorted(enquiries, key=lambda e: e.agency.value)
        ],
    }


def enquiry_status_router(uows: UnitOfWorkFactory, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/v1/{tenant}", tags=["enquiry status"])

    @router.get(
        "/enquiry-status",
        summary="Open contacts with each agency's enquiry status, least time left first "
        "(agency liaison, practitioner, manager); no child details",
        responses=problem_responses(401, 403),
    )
    async def board(
        user: Trackers,
        tenant: Tenant,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[Document]:
        found = await reads.enquiry_board(uows.reading(tenant))
        now = clock.now()
        rows = [status_row(c, enquiries, now) for c, enquiries in found]
        rows.sort(key=lambda r: r["seconds_left"])
        return rows[:limit]

    @router.get(
        "/contacts/{contact_id}/enquiry-status",
        summary="One contact's clock and each agency's enquiry status, no child details "
        "(agency liaison, practitioner, manager; audited)",
        responses=problem_responses(401, 403, 404),
    )
    async def one(
        user: Trackers,
        tenant: Tenant,
        contact_id: Annotated[str, Path(description="The hub's contact id.")],
    ) -> Document:
        contact, enquiries = await reads.contact_enquiry_status(
            uows.reading(tenant), contact_id, user
        )
        return status_row(contact, enquiries, clock.now())

    return router
