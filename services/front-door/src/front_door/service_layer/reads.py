"""What the front door's routes read: the work queue, a contact with its enquiries, enquiry
status, a person, the candidates to review, the joined-up view, who looked, unlinked facts.

Every look at a child's record is audited (``audit.record_view``) before it is
returned. Reads run outside a transaction (``UnitOfWorkFactory.reading``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from hub_messaging.documents import Document
from hub_service.problems import ProblemError
from hub_service.staff import StaffUser

from front_door.domain.audit import RecordSeen, RecordView
from front_door.domain.candidates import Candidate, CandidateStatus
from front_door.domain.contacts import Contact, ContactClock, ContactStatus
from front_door.domain.enquiries import Enquiry, EnquiryState
from front_door.domain.facts import Fact, records
from front_door.domain.persons import Person
from front_door.domain.view import assemble_view
from front_door.service_layer.audit import record_view
from front_door.service_layer.linking import survivor_of
from front_door.service_layer.unit_of_work import UnitOfWork

QUEUE_READ = 2_000
"""Most contacts a queue or board reads (then sorted by time left and cut to the page)."""


async def work_queue(uow: UnitOfWork, status: ContactStatus | None) -> list[Contact]:
    """Contacts of ``status``, else every undecided one."""
    return await uow.contacts.queue(status, QUEUE_READ)


async def contact_with_enquiries(
    uow: UnitOfWork, contact_id: str, user: StaffUser
) -> tuple[Contact, list[Enquiry]]:
    """One contact and its enquiries (by agency); the look is audited."""
    contact = await uow.contacts.get(contact_id)
    if contact is None:
        raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
    enquiries = await uow.enquiries.of_contact(contact_id)
    await record_view(
        uow, user, RecordSeen.CONTACT, person_id=contact.person_id, contact_id=contact_id
    )
    return contact, enquiries


async def enquiry_board(uow: UnitOfWork) -> list[tuple[ContactClock, list[EnquiryState]]]:
    """Each undecided contact's clocks with where its enquiries stand (no child details)."""
    clocks = await uow.contacts.clocks(QUEUE_READ)
    states = await uow.enquiries.states_of([c.contact_id for c in clocks])
    by_contact: dict[str, list[EnquiryState]] = {}
    for state in states:
        by_contact.setdefault(state.contact_id, []).append(state)
    return [(c, by_contact.get(c.contact_id, [])) for c in clocks]


async def contact_enquiry_status(
    uow: UnitOfWork, contact_id: str, user: StaffUser
) -> tuple[ContactClock, list[EnquiryState]]:
    """One contact's clocks and enquiries (no child details); the look is audited."""
    clock = await uow.contacts.clock(contact_id)
    if clock is None:
        raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
    states = await uow.enquiries.states_of([contact_id])
    await record_view(
        uow, user, RecordSeen.ENQUIRY_STATUS, person_id=clock.person_id, contact_id=contact_id
    )
    return clock, states


@dataclass(frozen=True)
class PersonRecord:
    """A person with whom it was merged into, who was merged into it, and its candidates."""

    person: Person
    survivor: Person
    linked: list[Person]
    candidates: list[Candidate]


async def person_record(uow: UnitOfWork, person_id: str, user: StaffUser) -> PersonRecord:
    """One person of the index; the look is audited."""
    person = await uow.persons.get(person_id)
    if person is None:
        raise ProblemError(404, "person-not-found", f"no person {person_id}")
    found = PersonRecord(
        person=person,
        survivor=await survivor_of(uow, person),
        linked=await uow.persons.merged_into(person_id),
        candidates=await uow.candidates.involving(person_id),
    )
    await record_view(uow, user, RecordSeen.PERSON, person_id=person_id)
    return found


@dataclass(frozen=True)
class CandidatePage:
    """One page of the review list (each candidate with both persons as the hub holds them),
    and how many candidates of that status there are in all."""

    items: list[tuple[Candidate, Person | None, Person | None]]
    total: int


async def candidate_page(
    uow: UnitOfWork, status: CandidateStatus, limit: int, offset: int = 0
) -> CandidatePage:
    """A page by status, best score first (then by id, so pages are stable)."""
    candidates, total = await uow.candidates.page(status, limit, offset)
    ids = {p for c in candidates for p in (c.new_person_id, c.existing_person_id)}
    persons = {p.person_id: p for p in await uow.persons.get_many(list(ids))}
    items = [
        (c, persons.get(c.new_person_id), persons.get(c.existing_person_id)) for c in candidates
    ]
    return CandidatePage(items, total)


async def joined_up_view(
    uow: UnitOfWork,
    now: datetime,
    person_id: str,
    user: StaffUser,
    contact_id: str | None = None,
) -> Document:
    """The joined-up view of a child (``domain.view.assemble_view``); the look is audited."""
    # three independent reads at once: one round trip's latency, not three
    person, facts, contacts = await asyncio.gather(
        uow.persons.get(person_id),
        uow.facts.of_person(person_id),
        uow.contacts.of_person(person_id),
    )
    if person is None:
        raise ProblemError(404, "person-not-found", f"no person {person_id}")
    await record_view(
        uow, user, RecordSeen.JOINED_UP_VIEW, person_id=person_id, contact_id=contact_id
    )
    return assemble_view(person.record(), records(facts), [c.record() for c in contacts], now)


async def contact_view(
    uow: UnitOfWork, now: datetime, contact_id: str, user: StaffUser
) -> Document:
    """The joined-up view of the child a contact is about."""
    contact = await uow.contacts.get(contact_id)
    if contact is None:
        raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
    return await joined_up_view(uow, now, contact.person_id, user, contact_id)


async def access_log(uow: UnitOfWork, person_id: str, limit: int) -> list[RecordView]:
    """Who looked at the child's record, newest first."""
    if not await uow.persons.exists(person_id):
        raise ProblemError(404, "person-not-found", f"no person {person_id}")
    return await uow.record_views.of_person(person_id, limit)


async def unlinked_facts(uow: UnitOfWork, user: StaffUser, limit: int) -> list[Fact]:
    """Facts no deterministic link ties to a person yet, newest first; the look is audited."""
    facts = await uow.facts.unlinked(limit)
    await record_view(uow, user, RecordSeen.UNLINKED_FACTS, person_id=None, count=len(facts))
    return facts
