"""The front door's internal API for contacts: the work queue, one contact, rating, decision.

Every route takes the signed-in user's staff token and enforces tenant and
role here too (``hub_service.staff``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from hub_messaging.consumer import BatchHandler
from hub_service import ServiceRuntime
from hub_service.clock import Clock
from hub_service.problems import ProblemError, problem_responses
from hub_service.staff import Role, StaffUser, staff_user

from front_door.domain.commands import DecideContact, RateContact, RecordContact
from front_door.domain.contacts import ContactStatus, EnquiryStatus
from front_door.service_layer.decisions import decide_contact
from front_door.service_layer.intake import CONTACTS
from front_door.service_layer.screening import ENQUIRIES, rate_contact
from front_door.service_layer.staff_intake import record_contact

RECORD_VIEWS = "record_views"
Screeners = Annotated[StaffUser, Depends(staff_user(Role.PRACTITIONER, Role.MANAGER))]
Managers = Annotated[StaffUser, Depends(staff_user(Role.MANAGER))]
ContactId = Annotated[str, Path(description="The hub's contact id.")]


def contacts_router(
    runtime: ServiceRuntime, clock: Clock, intake: BatchHandler | None = None
) -> APIRouter:
    """The contacts routes; ``intake`` (the concern handler) takes staff-entered contacts."""
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
            return await record_contact(runtime, clock, staff_intake, tenant, command, user)

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
        query: dict[str, Any] = (
            {"status": status.value} if status else {"status": {"$ne": ContactStatus.DECIDED.value}}
        )
        now = clock.now()
        docs = await runtime.database(tenant)[CONTACTS].find(query).to_list(length=2000)
        items = [_queue_item(d, now) for d in docs]
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
        db = runtime.database(tenant)
        doc: dict[str, Any] | None = await db[CONTACTS].find_one({"_id": contact_id})
        if doc is None:
            raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
        now = clock.now()
        enquiries: list[dict[str, Any]] = (
            await db[ENQUIRIES].find({"contact_id": contact_id}).sort("agency").to_list()
        )
        for e in enquiries:
            e["enquiry_id"] = e.pop("_id")
            e["overdue"] = (
                e["status"] == EnquiryStatus.AWAITING_ANSWER.value and now > e["respond_by"]
            )
        await db[RECORD_VIEWS].insert_one(
            {
                "user_id": user.user_id,
                "roles": sorted(user.roles),
                "person_id": doc["person_id"],
                "contact_id": contact_id,
                "purpose": user.purpose,
                "viewed_at": datetime.now(UTC),
            }
        )
        return {**_queue_item(doc, now), **_public(doc), "enquiries": enquiries}

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
        return await rate_contact(runtime, clock, tenant, contact_id, command, user)

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
        return await decide_contact(runtime, clock, tenant, contact_id, command, user)

    return router


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc)
    out["contact_id"] = out.pop("_id")
    return out


def _queue_item(doc: dict[str, Any], now: datetime) -> dict[str, Any]:
    deadline = doc.get("screen_by") or doc["decide_by"]
    return {
        "contact_id": doc["_id"],
        "status": doc["status"],
        "rag_rating": doc.get("rag_rating") or doc.get("rag_rating_as_received"),
        "received_at": doc["received_at"],
        "deadline": deadline,
        "seconds_left": int((deadline - now).total_seconds()),
        "child_name": f"{doc['child']['given_name']} {doc['child']['family_name']}",
        "referral_source": doc["referral_source"],
        "origin_agency": doc["origin_agency"],
    }
