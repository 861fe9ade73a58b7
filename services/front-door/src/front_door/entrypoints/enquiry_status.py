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

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from hub_service import ServiceRuntime
from hub_service.clock import Clock
from hub_service.problems import ProblemError, problem_responses
from hub_service.staff import Role, StaffUser, staff_user

from front_door.domain.contacts import ContactStatus, EnquiryStatus
from front_door.entrypoints.contacts import RECORD_VIEWS
from front_door.service_layer.intake import CONTACTS
from front_door.service_layer.screening import ENQUIRIES

Document = dict[str, Any]
Trackers = Annotated[
    StaffUser,
    Depends(staff_user(Role.AGENCY_LIAISON, Role.PRACTITIONER, Role.MANAGER)),
]
Tenant = Annotated[str, Path(description="Tenant id.")]
CONTACT_STATUS_FIELDS = {
    "status": 1,
    "rag_rating": 1,
    "rag_rating_as_received": 1,
    "received_at": 1,
    "screen_by": 1,
    "decide_by": 1,
    "origin_agency": 1,
    "person_id": 1,
    "decision.decided_at": 1,
    "decision.decided_in_time": 1,
}
"""All a status read takes from a contact: no child, concern, household or decision reason."""
ENQUIRY_STATUS_FIELDS = {
    "agency": 1,
    "status": 1,
    "requested_at": 1,
    "respond_by": 1,
    "answered_at": 1,
    "late": 1,
    "contact_id": 1,
}
"""All a status read takes from an enquiry: never the answer or who gave it."""


def status_row(contact: Document, enquiries: list[Document], now: datetime) -> Document:
    """One contact's clock and each agency's enquiry status. A decided contact has no
    running clock: it says when it was decided and whether that was in time."""
    decided = contact["status"] == ContactStatus.DECIDED.value
    deadline = contact.get("screen_by") or contact["decide_by"]
    decision = contact.get("decision") or {}
    return {
        "contact_id": contact["_id"],
        "status": contact["status"],
        "rag_rating": contact.get("rag_rating") or contact.get("rag_rating_as_received"),
        "received_at": contact["received_at"],
        "origin_agency": contact["origin_agency"],
        "deadline": deadline,
        "seconds_left": None if decided else int((deadline - now).total_seconds()),
        "decided_at": decision.get("decided_at"),
        "decided_in_time": decision.get("decided_in_time"),
        "enquiries": [
            {
                "enquiry_id": e["_id"],
                "agency": e["agency"],
                "status": e["status"],
                "requested_at": e.get("requested_at"),
                "respond_by": e.get("respond_by"),
                "answered_at": e.get("answered_at"),
                "late": bool(e.get("late")),
                "overdue": e["status"] == EnquiryStatus.AWAITING_ANSWER.value
                and now > e["respond_by"],
            }
            for e in sorted(enquiries, key=lambda e: str(e["agency"]))
        ],
    }


def enquiry_status_router(runtime: ServiceRuntime, clock: Clock) -> APIRouter:
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
        db = runtime.database(tenant)
        open_only = {"status": {"$ne": ContactStatus.DECIDED.value}}
        contacts = await db[CONTACTS].find(open_only, CONTACT_STATUS_FIELDS).to_list(length=2000)
        ids = [c["_id"] for c in contacts]
        enquiries = (
            await db[ENQUIRIES]
            .find({"contact_id": {"$in": ids}}, ENQUIRY_STATUS_FIELDS)
            .to_list(length=None)
        )
        by_contact: dict[str, list[Document]] = {}
        for e in enquiries:
            by_contact.setdefault(str(e["contact_id"]), []).append(e)
        now = clock.now()
        rows = [status_row(c, by_contact.get(str(c["_id"]), []), now) for c in contacts]
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
        db = runtime.database(tenant)
        contact = await db[CONTACTS].find_one({"_id": contact_id}, CONTACT_STATUS_FIELDS)
        if contact is None:
            raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
        enquiries = (
            await db[ENQUIRIES]
            .find({"contact_id": contact_id}, ENQUIRY_STATUS_FIELDS)
            .to_list(length=None)
        )
        await db[RECORD_VIEWS].insert_one(
            {
                "user_id": user.user_id,
                "roles": sorted(user.roles),
                "person_id": contact.get("person_id"),
                "contact_id": contact_id,
                "what": "enquiry-status",
                "purpose": user.purpose,
                "viewed_at": datetime.now(UTC),
            }
        )
        return status_row(contact, enquiries, clock.now())

    return router
