"""Rating a contact and asking every agency what it holds."""

from __future__ import annotations

from typing import Any

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ChildAsStated, ChildIdentifiers, ContactRated, EnquiryRequested
from hub_contracts.events.common import HouseholdMember
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock
from hub_service.problems import ProblemError
from hub_service.staff import StaffUser

from front_door.domain.commands import RateContact
from front_door.domain.contacts import (
    ENQUIRED_AGENCIES,
    ContactStatus,
    EnquiryStatus,
    screen_by,
)
from front_door.service_layer.intake import CONTACTS, SERVICE, in_journey, screening_windows

ENQUIRIES = "enquiries"
SCREENING_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
)
ENQUIRY_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.MULTI_AGENCY_ENQUIRY
)
Document = dict[str, Any]


def _identifiers(contact: Document, agency: str) -> ChildIdentifiers:
    child = ChildAsStated.model_validate(contact["child"])
    return ChildIdentifiers(
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        nhs_number=child.nhs_number,
        upn=child.upn,
        # an agency's own id only goes back to the agency that issued it
        agency_person_id=child.agency_person_id if contact["origin_agency"] == agency else None,
        address=child.address,
    )


async def rate_contact(
    runtime: ServiceRuntime,
    clock: Clock,
    tenant: str,
    contact_id: str,
    command: RateContact,
    user: StaffUser,
) -> Document:
    """Rate the contact, start its screening clock and fan out one enquiry per agency."""
    now = clock.now()
    # a person's step in the journey the contact started: one journey, one trace (ADR 0008)
    async with (
        in_journey(runtime, tenant, contact_id, "rate contact"),
        runtime.transaction(tenant) as tx,
    ):
        contact: Document | None = await tx.db[CONTACTS].find_one(
            {"_id": contact_id}, session=tx.session
        )
        if contact is None:
            raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
        if contact["status"] != ContactStatus.AWAITING_SCREENING.value:
            raise ProblemError(409, "contact-already-rated", f"contact is {contact['status']}")
        windows = await screening_windows(tx.db, tx.session)
        due = screen_by(contact["received_at"], command.rag_rating, windows)
        events = [
            CloudEvent.new(
                tenant=tenant,
                producer=SERVICE,
                subject=contact["person_id"],
                payload=ContactRated(
                    contact_id=contact_id,
                    rag_rating=command.rag_rating,
                    rationale=command.rationale,
                    rated_by=user.user_id,
                    rated_at=now,
                    screen_by=due,
                ),
                sharing=SCREENING_BASIS,
                time=now,
            )
        ]
        household = tuple(HouseholdMember.model_validate(m) for m in contact["household"])
        enquiries: list[Document] = []
        for agency in ENQUIRED_AGENCIES:
            enquiry_id = f"EQ-{contact_id.removeprefix('CT-')}-{agency.value}"
            enquiries.append(
                {
                    "_id": enquiry_id,
                    "contact_id": contact_id,
                    "agency": agency.value,
                    "requested_at": now,
                    "respond_by": due,
                    "status": EnquiryStatus.AWAITING_ANSWER.value,
                }
            )
            events.append(
                CloudEvent.new(
                    tenant=tenant,
                    producer=SERVICE,
                    subject=contact["person_id"],
                    payload=EnquiryRequested(
                        enquiry_id=enquiry_id,
                        contact_id=contact_id,
                        target_agency=agency,
                        child=_identifiers(contact, agency.value),
                        household=household,
                        purpose="What do you hold about this child and household that is "
                        "relevant to a safeguarding concern?",
                        rag_rating=command.rag_rating,
                        respond_by=due,
                    ),
                    sharing=ENQUIRY_BASIS,
                    time=now,
                )
            )
        await tx.db[ENQUIRIES].insert_many(enquiries, session=tx.session)
        await tx.db[CONTACTS].update_one(
            {"_id": contact_id},
            {
                "$set": {
                    "status": ContactStatus.ENQUIRIES_OPEN.value,
                    "rag_rating": command.rag_rating.value,
                    "rationale": command.rationale,
                    "rated_by": user.user_id,
                    "rated_at": now,
                    "screen_by": due,
                }
            },
            session=tx.session,
        )
        await tx.publish(events)
    return {"contact_id": contact_id, "screen_by": due, "enquiries": [e["_id"] for e in enquiries]}
