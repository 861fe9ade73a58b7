"""Contacts from agencies' concerns: the start of every journey at the hub."""

from __future__ import annotations

import uuid
from typing import Any

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ChildConcernRaisedV2, ContactReceived
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.consumer import Delivery, HandlerContext
from hub_service.clock import Clock

from front_door.adapters.persons import link_child
from front_door.domain.contacts import ContactStatus, ScreeningWindows, decide_by, screen_by

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


def contact_received_handler(clock: Clock) -> Any:
    """Handles ``child-concern-raised`` (v1 upcast to v2): a contact, linked to a person."""

    async def handle(delivery: Delivery, ctx: HandlerContext) -> None:
        concern = ChildConcernRaisedV2.model_validate(delivery.event.data)
        received_at = clock.now()
        windows = await screening_windows(ctx.db, ctx.session)
        agency = concern.agency_reference.agency
        person_id, linked_by = await link_child(ctx.db, ctx.session, concern.child, agency)
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
