"""Contacts from agencies' concerns: the start of every journey at the hub."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ChildConcernRaisedV2, ContactReceived
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.consumer import Delivery, HandlerContext
from hub_messaging.outbox import current_trace_context
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock
from hub_service.telemetry import continue_trace

from front_door.adapters.persons import link_child
from front_door.domain.contacts import ContactStatus, ScreeningWindows, decide_by, screen_by
from front_door.service_layer.persons import suggest_candidates

CONTACTS = "contacts"
SETTINGS = "tenant_settings"
SERVICE = "front-door"
FEEDBACK_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.OUTCOME_FEEDBACK
)
Document = dict[str, Any]


async def screening_windows(ctx_db: Any, session: Any = None) -> ScreeningWindows:
    doc = await ctx_db[SETTINGS].find_one({"_id": "screening"}, session=session)
    return ScreeningWindows.from_settings(doc)


@asynccontextmanager
async def in_journey(
    runtime: ServiceRuntime, tenant: str, contact_id: str, step: str
) -> AsyncIterator[None]:
    """Run a person's step on a contact (a new HTTP request) inside the contact's trace."""
    found = await runtime.database(tenant)[CONTACTS].find_one(
        {"_id": contact_id}, {"trace_context": 1}
    )
    stored = found.get("trace_context") if found else None
    origin = {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else None
    attributes = {"hub.tenant": tenant, "hub.contact_id": contact_id}
    with continue_trace(runtime.tracer_provider, step, origin, attributes):
        yield


def _event_trace_context(delivery: Delivery) -> dict[str, str]:
    event = delivery.event
    return {"traceparent": event.traceparent} if event.traceparent else {}


def contact_received_handler(clock: Clock) -> Any:
    """Handles ``child-concern-raised`` (v1 upcast to v2): a contact, linked to a person."""

    async def handle(delivery: Delivery, ctx: HandlerContext) -> None:
        concern = ChildConcernRaisedV2.model_validate(delivery.event.data)
        received_at = clock.now()
        windows = await screening_windows(ctx.db, ctx.session)
        agency = concern.agency_reference.agency
        person_id, linked_by = await link_child(ctx.db, ctx.session, concern.child, agency)
        if linked_by == "new":  # potential duplicates for a hub person to review
            await suggest_candidates(ctx.db, ctx.session, person_id, received_at)
        contact_id = f"CT-{uuid.uuid4().hex[:12]}"
        rating = concern.rag_rating
        contact: Document = {
            "_id": contact_id,
            "status": ContactStatus.AWAITING_SCREENING.value,
            "received_at": received_at,
            "person_id": person_id,
            "linked_by": linked_by,
            "referral_source": concern.referral_source.value,
            "origin_agency": agency.value,
            "origin_reference": concern.agency_reference.reference,
            "origin_event_id": delivery.event.id,
            "origin_sharing": delivery.event.sharing.model_dump(mode="json", exclude_none=True),
            "rag_rating_as_received": rating.value if rating else None,
            "rag_rating": None,
            "concern_summary": concern.concern_summary,
            "occurred_at": concern.occurred_at,
            "child": concern.child.model_dump(mode="json"),
            "household": [m.model_dump(mode="json") for m in concern.household],
            "screen_by": screen_by(received_at, rating, windows) if rating else None,
            "decide_by": decide_by(received_at, windows),
            # the journey's trace: rating and deciding continue it (ADR 0008)
            "trace_context": current_trace_context() or _event_trace_context(delivery),
        }
        await ctx.db[CONTACTS].insert_one(contact, session=ctx.session)
        received = ContactReceived(
            contact_id=contact_id,
            received_at=received_at,
            referral_source=concern.referral_source,
            origin_agency=agency,
            origin_event_id=delivery.event.id,
            rag_rating_as_received=rating,
            concern_summary=concern.concern_summary,
            child=concern.child,
        )
        event = CloudEvent.new(
            tenant=ctx.tenant,
            producer=SERVICE,
            subject=person_id,
            payload=received,
            sharing=FEEDBACK_BASIS,
            time=received_at,
        )
        await ctx.outbox.add(ctx.db, ctx.session, [event])

    return handle
