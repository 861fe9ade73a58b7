"""Contacts hub staff take directly, through the same intake as agencies' concerns.

The staff member's account becomes a ``child-concern-raised`` whose source is
the hub itself (``/<tenant>/front-door``, agency ``hub``), handled by the very
intake that handles agencies' concerns (person link, candidates, contact,
``contact-received``, the view's facts), in one transaction. The journey's
trace starts at the staff member's request.
"""

from __future__ import annotations

import uuid

from hub_contracts.codes import Agency
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import AgencyReference, ChildAsStated, ChildConcernRaisedV2
from hub_contracts.policy import SharingOutcome
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.consumer import Delivery
from hub_messaging.outbox import current_trace_context
from hub_service.clock import Clock
from hub_service.staff import StaffUser

from front_door.domain.commands import RecordContact
from front_door.domain.contacts import Contact
from front_door.service_layer.intake import SERVICE
from front_door.service_layer.unit_of_work import BatchEventHandler, UnitOfWorkFactory

HUB_RECORD = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
)
"""The hub records a contact under its public task (safeguarding screening)."""


async def record_contact(
    uows: UnitOfWorkFactory,
    clock: Clock,
    intake: BatchEventHandler,
    tenant: str,
    command: RecordContact,
    user: StaffUser,
) -> Contact:
    """Take the contact through ``intake`` (``intake.concern_intake``); the contact made."""
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
    async with uows.transaction(tenant) as uow:
        await intake([delivery], uow)
        contact = await uow.contacts.made_by(entry_id)
    if contact is None:  # the intake always makes one contact per concern
        raise RuntimeError(f"intake made no contact for {entry_id}")
    return contact
