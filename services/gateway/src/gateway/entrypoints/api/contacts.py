"""Contacts through the JSON API: the work queue, a contact, its enquiries, rating,
deciding, who looked at the child, and the enquiry status board; and the code lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from hub_contracts.codes import CategoryOfAbuse, ContactOutcome, PrimaryNeed, RagRating
from hub_service.problems import problem_responses
from pydantic import BaseModel, Field

from gateway.entrypoints.deps import ApiReader, ApiWriter, ContactPath
from gateway.service_layer import contacts
from gateway.service_layer.contacts import DecisionRequest, RatingRequest

router = APIRouter()


class QueueRow(BaseModel):
    contact_id: str = Field(description="The hub's contact id.")
    status: str = Field(description="awaiting-screening, enquiries-open or decided.")
    rag_rating: RagRating | None = Field(description="The rating, or as received.")
    rag_tag: str = Field(description="GOV.UK tag class for the rating.")
    received_at: datetime = Field(description="When the hub received the concern.")
    deadline: datetime = Field(description="Screening (or decision) deadline.")
    seconds_left: int = Field(description="Seconds to the deadline; negative when overdue.")
    time_left: str = Field(description="Time left in words.")
    child_name: str = Field(description="The child's name as stated.")
    referral_source: str = Field(description="Referral source code.")
    origin_agency: str = Field(description="Agency that raised the concern.")


class AuditEntry(BaseModel):
    user_id: str = Field(description="Who.")
    display_name: str = Field(description="Their name.")
    roles: list[str] = Field(description="Their roles at the time.")
    action: str = Field(description="What they did (view-contact, decide-contact, ...).")
    purpose: str = Field(description="Why, as they said.")
    contact_id: str | None = Field(default=None, description="Which contact.")
    person_id: str | None = Field(default=None, description="Which child (hub person id).")
    outcome: str = Field(description="done, or why it was refused.")
    at: datetime = Field(description="When.")


class AccessAudit(BaseModel):
    contact_id: str = Field(description="The contact asked about.")
    gateway: list[AuditEntry] = Field(description="User actions through the gateway.")
    front_door: Any = Field(default=None, description="The front door's access log, if any.")


class Codes(BaseModel):
    outcomes: list[str] = Field(description="Contact outcome codes.")
    primary_needs: list[str] = Field(description="CIN primary need codes.")
    categories_of_abuse: list[str] = Field(description="Categories of abuse.")
    rag_ratings: list[str] = Field(description="RAG ratings.")


@router.get("/codes", tags=["codes"], summary="Code lists used by the forms")
async def codes() -> Codes:
    return Codes(
        outcomes=[o.value for o in ContactOutcome],
        primary_needs=[p.value for p in PrimaryNeed],
        categories_of_abuse=[c.value for c in CategoryOfAbuse],
        rag_ratings=[r.value for r in RagRating],
    )


@router.get(
    "/{tenant}/contacts",
    tags=["contacts"],
    summary="The work queue: open contacts, least time left first, with RAG",
    responses=problem_responses(401, 403, 422, 502),
)
async def queue(user: ApiReader) -> list[QueueRow]:
    return [QueueRow(**r) for r in await contacts.work_queue(user)]


@router.get(
    "/{tenant}/contacts/{contact_id}",
    tags=["contacts"],
    summary="A contact with its enquiries and the joined-up view (audited)",
    responses=problem_responses(401, 403, 404, 422, 502),
)
async def contact(user: ApiReader, contact_id: ContactPath) -> dict[str, Any]:
    return await contacts.contact_page(user, contact_id)


@router.get(
    "/{tenant}/contacts/{contact_id}/enquiries",
    tags=["contacts"],
    summary="Enquiry status per agency (audited)",
    responses=problem_responses(401, 403, 404, 422, 502),
)
async def enquiries(user: ApiReader, contact_id: ContactPath) -> list[dict[str, Any]]:
    return await contacts.enquiry_status(user, contact_id)


@router.post(
    "/{tenant}/contacts/{contact_id}/rating",
    tags=["contacts"],
    summary="Rate a contact (RAG); sends the multi-agency enquiries",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def rate(user: ApiWriter, contact_id: ContactPath, command: RatingRequest) -> dict[str, Any]:
    return await contacts.rate(user, contact_id, command)


@router.post(
    "/{tenant}/contacts/{contact_id}/decision",
    tags=["contacts"],
    summary="Decide a contact (hub manager) with outcome code and reason",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def decide(
    user: ApiWriter, contact_id: ContactPath, command: DecisionRequest
) -> dict[str, Any]:
    return await contacts.decide(user, contact_id, command)


@router.get(
    "/{tenant}/contacts/{contact_id}/audit",
    tags=["audit"],
    summary="Who looked at this child (hub manager, auditor)",
    responses=problem_responses(401, 403, 422, 502),
)
async def audit(user: ApiReader, contact_id: ContactPath) -> AccessAudit:
    return AccessAudit(**await contacts.access_audit(user, contact_id))


@router.get(
    "/{tenant}/enquiry-status",
    tags=["enquiries"],
    summary="Open contacts with each agency's enquiry status, least time left first "
    "(agency liaison, practitioner, manager); no child details",
    responses=problem_responses(401, 403, 422, 502),
)
async def enquiry_board(user: ApiReader) -> list[dict[str, Any]]:
    return await contacts.enquiry_board(user)
