"""Rating a contact and asking every agency what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ContactRated, EnquiryRequested
from hub_contracts.events.common import ChildIdentifiers
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_service.clock import Clock
from hub_service.problems import ProblemError
from hub_service.staff import StaffUser
from opentelemetry.sdk.trace import TracerProvider

from front_door.domain.commands import RateContact
from front_door.domain.contacts import (
    ENQUIRED_AGENCIES,
    Contact,
    ContactStatus,
    EnquiryStatus,
    Rating,
    screen_by,
)
from front_door.domain.enquiries import Enquiry
from front_door.service_layer.intake import SERVICE, in_journey
from front_door.service_layer.unit_of_work import UnitOfWorkFactory

SCREENING_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
)
ENQUIRY_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.MULTI_AGENCY_ENQUIRY
)
ENQUIRY_PURPOSE = (
    "What do you hold about this child and household that is relevant to a safeguarding concern?"
)


@dataclass(frozen=True)
class Rated:
    """A rated contact: its screening deadline and the enquiries sent."""

    contact_id: str
    screen_by: datetime
    enquiry_ids: list[str]


def _identifiers(contact: Contact, agency: str) -> ChildIdentifiers:
    child = contact.child
    return ChildIdentifiers(
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        nhs_number=child.nhs_number,
        upn=child.upn,
        # an agency's own id only goes back to the agency that issued it
        agency_person_id=child.agency_person_id if contact.origin_agency == agency else None,
        address=child.address,
    )


async def rate_contact(
    uows: UnitOfWorkFactory,
    clock: Clock,
    tenant: str,
    contact_id: str,
    command: RateContact,
    user: StaffUser,
    tracer_provider: TracerProvider,
) -> Rated:
    """Rate the contact, start its screening clock and fan out one enquiry per agency."""
    now = clock.now()
    # a person's step in the journey the contact started: one journey, one trace (ADR 0008)
    async with (
        in_journey(uows, tracer_provider, tenant, contact_id, "rate contact"),
        uows.transaction(tenant) as uow,
    ):
        contact = await uow.contacts.get(contact_id)
        if contact is None:
            raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
        if contact.status is not ContactStatus.AWAITING_SCREENING:
            raise ProblemError(409, "contact-already-rated", f"contact is {contact.status.value}")
        windows = await uow.settings.screening_windows()
        due = screen_by(contact.received_at, command.rag_rating, windows)
        events = [
            CloudEvent.new(
                tenant=tenant,
                producer=SERVICE,
                subject=contact.person_id,
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
        enquiries: list[Enquiry] = []
        for agency in ENQUIRED_AGENCIES:
            enquiry = Enquiry(
                enquiry_id=f"EQ-{contact_id.removeprefix('CT-')}-{agency.value}",
                contact_id=contact_id,
                agency=agency,
                requested_at=now,
                respond_by=due,
                status=EnquiryStatus.AWAITING_ANSWER,
            )
            enquiries.append(enquiry)
            events.append(
                CloudEvent.new(
                    tenant=tenant,
                    producer=SERVICE,
                    subject=contact.person_id,
                    payload=EnquiryRequested(
                        enquiry_id=enquiry.enquiry_id,
                        contact_id=contact_id,
                        target_agency=agency,
                        child=_identifiers(contact, agency.value),
                        household=contact.household,
                        purpose=ENQUIRY_PURPOSE,
                        rag_rating=command.rag_rating,
                        respond_by=due,
                    ),
                    sharing=ENQUIRY_BASIS,
                    time=now,
                )
            )
        await uow.enquiries.add_many(enquiries)
        rating = Rating(command.rag_rating, command.rationale, user.user_id, now)
        await uow.contacts.rate(contact_id, rating, due)
        await uow.publish(events)
    return Rated(contact_id, due, [e.enquiry_id for e in enquiries])
