"""The front door's internal API for contacts: the work queue, one contact, rating, decision.

Every route takes the signed-in user's staff token and enforces tenant and
role here too (``hub_service.staff``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from hub_service.clock import Clock
from hub_service.problems import problem_responses
from hub_service.staff import Role, StaffUser, staff_user
from opentelemetry.sdk.trace import TracerProvider

from front_door.domain.commands import DecideContact, RateContact, RecordContact
from front_door.domain.contacts import Contact, ContactStatus
from front_door.domain.enquiries import Enquiry
from front_door.service_layer import reads
from front_door.service_layer.decisions import decide_contact
from front_door.service_layer.screening import rate_contact
from front_door.service_layer.staff_intake import record_contact
from front_door.service_layer.unit_of_work import BatchEventHandler, UnitOfWorkFactory

Screeners = Annotated[StaffUser, Depends(staff_user(Role.PRACTITIONER, Role.MANAGER))]
Managers = Annotated[StaffUser, Depends(staff_user(Role.MANAGER))]
ContactId = Annotated[str, Path(description="The hub's contact id.")]


def contacts_router(
    uows: UnitOfWorkFactory,
    clock: Clock,
    tracer_provider: TracerProvider,
    intake: BatchEventHandler | None = None,
) -> APIRouter:
    """The contacts routes; ``intake`` (the concern intake) takes staff-entered contacts."""
    router = APIRouter(prefix="/v1/{tenant}", tags=["contacts"])

    if intake is not None:
        staff_intake = intake

        @router.post(
            "/contacts",
            status_code=201,
            summary="Take a contact directly (a call from a neighbour, a GP, the child)",
            responses=problem_responses(401, 403, 422),
        )
        async def take_contact(
            user: Screeners,
            tenant: Annotated[str, Path(description="Tenant id.")],
            command: RecordContact,
        ) -> dict[str, Any]:
            contact = await record_contact(uows, clock, staff_intake, tenant, command, user)
            return {
                "contact_id": contact.contact_id,
                "person_id": contact.person_id,
                "entered_by": user.user_id,
            }

    @router.get(
        "/contacts",
        summary="The work queue: open contacts, least time left first",
        responses=problem_responses(401, 403),
    )
    async def queue(
        user: Screeners,
        tenant: Annotated[str, Path(description="Tenant id.")],
        status: Annotated[ContactStatus | None, Query(description="Only this status.")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        contacts = await reads.work_queue(uows.reading(tenant), status)
        now = clock.now()
        items = [queue_item(c, now) for c in contacts]
        items.sort(key=lambda i: i["seconds_left"])
        return items[:limit]

    @router.get(
        "/contacts/{contact_id}",
        summary="One contact with its enquiries and answers (the view is audited)",
        responses=problem_responses(401, 403, 404),
    )
    async def contact(
        user: Screeners,
        tenant: Annotated[str, Path(description="Tenant id.")],
        contact_id: ContactId,
    ) -> dict[str, Any]:
        found, enquiries = await reads.contact_with_enquiries(
            uows.reading(tenant), contact_id, user
        )
        now = clock.now()
        return {
            **queue_item(found, now),
            **public_contact(found),
            "enquiries": [public_enquiry(e, now) for e in enquiries],
        }

    @router.post(
        "/contacts/{contact_id}/rating",
        summary="Rate a contact (RAG) and send the multi-agency enquiries",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def rate(
        user: Screeners,
        tenant: Annotated[str, Path(description="Tenant id.")],
        contact_id: ContactId,
        command: RateContact,
    ) -> dict[str, Any]:
        rated = await rate_contact(uows, clock, tenant, contact_id, command, user, tracer_provider)
        return {
            "contact_id": rated.contact_id,
            "screen_by": rated.screen_by,
            "enquiries": rated.enquiry_ids,
        }

    @router.post(
        "/contacts/{contact_id}/decision",
        summary="Decide a contact (hub manager): routed to early help or social care, "
        "the referrer told, the decision and its reason audited",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def decide(
        user: Managers,
        tenant: Annotated[str, Path(description="Tenant id.")],
        contact_id: ContactId,
        command: DecideContact,
    ) -> dict[str, Any]:
        decision = await decide_contact(
            uows, clock, tenant, contact_id, command, user, tracer_provider
        )
        return {"contact_id": contact_id, **without_id(decision.record())}

    return router


def without_id(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "_id"}


def public_contact(contact: Contact) -> dict[str, Any]:
    """The contact as held, with its id as ``contact_id``."""
    return {**without_id(contact.record()), "contact_id": contact.contact_id}


def public_enquiry(enquiry: Enquiry, now: datetime) -> dict[str, Any]:
    return {
        **without_id(enquiry.record()),
        "enquiry_id": enquiry.enquiry_id,
        "overdue": enquiry.is_overdue(now),
    }


def queue_item(contact: Contact, now: datetime) -> dict[str, Any]:
    rating = contact.current_rating
    return {
        "contact_id": contact.contact_id,
        "status": contact.status.value,
        "rag_rating": rating.value if rating else None,
        "received_at": contact.received_at,
        "deadline": contact.deadline,
        "seconds_left": int((contact.deadline - now).total_seconds()),
        "child_name": f"{contact.child.given_name} {contact.child.family_name}",
        "referral_source": contact.referral_source.value,
        "origin_agency": contact.origin_agency.value,
    }
