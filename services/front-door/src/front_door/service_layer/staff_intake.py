"""Contacts hub staff take directly, through the same intake as agencies' concerns.

The staff member's account becomes a ``child-concern-raised`` whose source is
the hub itself (``/<tenant>/front-door``, agency ``hub``), handled by the very
intake that handles agencies' concerns (person link, candidates, contact,
``contact-received``, the view's facts), in one transaction. The journey's
trace starts at the staff member's request.
"""

from __future__ import annotations

import uuid
from typing import Any

from hub_contracts.codes import Agency
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import AgencyReference, ChildAsStated, ChildConcernRaisedV2
from hub_contracts.policy import SharingOutcome
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.consumer import BatchHandler, Delivery, HandlerContext
from hub_messaging.outbox import current_trace_context
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock
from hub_service.staff import StaffUser

from front_door.domain.commands import RecordContact
from front_door.service_layer.intake import CONTACTS, SERVICE

HUB_RECORD = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
)
"""The hub records a contact under its public task (safeguarding screening)."""


async def record_contact(
    runtime: ServiceRuntime,
    clock: Clock,
    intake: BatchHandler,
    tenant: str,
    command: RecordContact,
    user: StaffUser,
) -> dict[str, Any]:
    """Take the contact; returns its id and its person."""
    now = clock.now()
    entry_id = f"HUB-{uuid.uuid4().hex[:12]}"
    child = ChildAsStated(
        agency_person_id=f"HUB-C-{uuid.uuid4().hex[:12]}",
        **command.child.model_dump(exclude={"agency_person_id"}),
    )
    concern = ChildConcernRaisedV2(
        agency_reference=AgencyReference(agency=Agency.HUB, reference=entry_id),
        referral_source=command.referral_source,
        rag_rating=command.rag_rating,
        concern_summary=command.concern_summary,
        child=child,
        household=command.household,
        occurred_at=command.occurred_at or now,
        raised_by_role=f"hub staff ({user.user_id})",
    )
    trace = current_trace_context()
    event = CloudEvent(
        id=entry_id,
        source=f"/{tenant}/{SERVICE}",
        type=ChildConcernRaisedV2.cloudevent_type(),
        time=now,
        subject=child.agency_person_id,
        dataschema=ChildConcernRaisedV2.dataschema(),
        tenant=tenant,
        traceparent=trace.get("traceparent"),
        tracestate=trace.get("tracestate"),
        sharing=HUB_RECORD,
        data=concern.model_dump(mode="json"),
    )
    delivery = Delivery(event, SharingOutcome.SHARED, (), topic="", partition=-1, offset=-1)
    async with runtime.transaction(tenant) as tx:
        await intake([delivery], HandlerContext(tenant, tx.db, tx.session, tx.outbox))
        contact = await tx.db[CONTACTS].find_one(
            {"origin_event_id": entry_id}, {"_id": 1, "person_id": 1}, session=tx.session
        )
    if contact is None:  # the intake always makes one contact per concern
        raise RuntimeError(f"intake made no contact for {entry_id}")
    return {
        "contact_id": contact["_id"],
        "person_id": contact["person_id"],
        "entered_by": user.user_id,
    }
