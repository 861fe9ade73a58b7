"""In-memory fakes of the front door's repositories and unit of work, for handler tests.

Each fake keeps typed domain objects in insertion order (as MongoDB returns them
without a sort) and answers the port's queries as the MongoDB adapter would. A
``FakeUnitOfWorkFactory`` transaction keeps its writes only if the block ends
without raising, like the real one; every repository call is counted in
``Store.calls`` (one call, one round trip), so a test can check what a batch costs.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from front_door.domain.audit import RecordView
from front_door.domain.candidates import Candidate, CandidateStatus, IdentityChange
from front_door.domain.commands import RateContact
from front_door.domain.contacts import (
    Contact,
    ContactClock,
    ContactStatus,
    Deadline,
    Decision,
    EnquiryStatus,
    Rating,
    Redaction,
    ScreeningWindows,
)
from front_door.domain.enquiries import Answer, Enquiry, EnquiryState
from front_door.domain.facts import Fact, Removal
from front_door.domain.persons import Identifier, Learnt, PastLink, Person, PersonLink
from front_door.domain.view import CONSENT_BASIS, FactKind
from front_door.service_layer.screening import Rated, rate_contact
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import (
    Address,
    AgencyReference,
    ChildAsStated,
    ChildConcernRaisedV2,
    HouseholdMember,
    Relationship,
    Sex,
)
from hub_contracts.policy import SharingOutcome
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.consumer import Delivery
from hub_service.clock import Clock
from hub_service.staff import Role, StaffUser
from opentelemetry.sdk.trace import TracerProvider


@dataclass
class Store:
    """One tenant's records."""

    contacts: dict[str, Contact] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    enquiries: dict[str, Enquiry] = field(default_factory=dict)
    unmatched: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    windows: ScreeningWindows = field(default_factory=ScreeningWindows)
    identity_changes: list[IdentityChange] = field(default_factory=list)
    sharing_decisions: list[Mapping[str, Any]] = field(default_factory=list)
    record_views: list[RecordView] = field(default_factory=list)
    consents: dict[str, datetime | None] = field(default_factory=dict)
    published: list[CloudEvent] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)

    def snapshot(self) -> Store:
        """A copy to restore if a transaction aborts (the objects themselves are frozen)."""
        copies = {
            name: copy.copy(getattr(self, name))
            for name in self.__dataclass_fields__
            if name not in ("windows", "calls")
        }
        return replace(self, **copies)

    def restore(self, saved: Store) -> None:
        for name in self.__dataclass_fields__:
            if name != "calls":
                setattr(self, name, getattr(saved, name))


class _Repository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _call(self, name: str) -> None:
        self.store.calls[f"{type(self).__name__.removeprefix('Fake').lower()}.{name}"] += 1


class _HeldByPerson(_Repository):
    def _records(self) -> dict[str, Any]:
        raise NotImplementedError

    async def ids_of_person(self, person_id: str) -> list[str]:
        self._call("ids_of_person")
        return [k for k, r in self._records().items() if r.person_id == person_id]

    async def ids_still_with(self, ids: Sequence[str], person_id: str) -> list[str]:
        self._call("ids_still_with")
        return [k for k, r in self._records().items() if k in ids and r.person_id == person_id]

    async def move_to(self, ids: Sequence[str], person_id: str) -> None:
        self._call("move_to")
        records = self._records()
        for key in ids:
            if key in records:
                records[key] = replace(records[key], person_id=person_id)


class FakeContacts(_HeldByPerson):
    def _records(self) -> dict[str, Any]:
        return self.store.contacts

    async def add_many(self, contacts: Sequence[Contact]) -> None:
        self._call("add_many")
        for contact in contacts:
            assert contact.contact_id not in self.store.contacts, "duplicate key"
            self.store.contacts[contact.contact_id] = contact

    async def get(self, contact_id: str) -> Contact | None:
        self._call("get")
        return self.store.contacts.get(contact_id)

    async def made_by(self, origin_event_id: str) -> Contact | None:
        self._call("made_by")
        return next(
            (c for c in self.store.contacts.values() if c.origin_event_id == origin_event_id), None
        )

    async def of_person(self, person_id: str) -> list[Contact]:
        self._call("of_person")
        return [c for c in self.store.contacts.values() if c.person_id == person_id]

    async def queue(self, status: ContactStatus | None, limit: int) -> list[Contact]:
        self._call("queue")
        found = [
            c
            for c in self.store.contacts.values()
            if (c.status is status if status else c.status is not ContactStatus.DECIDED)
        ]
        return found[:limit]

    async def rate(self, contact_id: str, rating: Rating, screen_by: datetime) -> None:
        self._call("rate")
        contact = self.store.contacts[contact_id]
        self.store.contacts[contact_id] = replace(
            contact, status=ContactStatus.ENQUIRIES_OPEN, rating=rating, screen_by=screen_by
        )

    async def decide(self, decision: Decision) -> None:
        self._call("decide")
        assert decision.contact_id not in self.store.decisions, "duplicate key"
        self.store.decisions[decision.contact_id] = decision
        contact = self.store.contacts[decision.contact_id]
        self.store.contacts[decision.contact_id] = replace(
            contact, status=ContactStatus.DECIDED, decision=decision
        )

    def _past(self, contact: Contact, deadline: Deadline, now: datetime) -> bool:
        due: datetime | None = getattr(contact, deadline.field)
        return (
            contact.status is not ContactStatus.DECIDED
            and due is not None
            and due < now
            and deadline.value not in contact.breaches
        )

    async def past_deadline(self, deadline: Deadline, now: datetime) -> list[str]:
        self._call("past_deadline")
        return [c.contact_id for c in self.store.contacts.values() if self._past(c, deadline, now)]

    async def flag_breach(
        self, contact_id: str, deadline: Deadline, now: datetime
    ) -> Contact | None:
        self._call("flag_breach")
        contact = self.store.contacts.get(contact_id)
        if contact is None or not self._past(contact, deadline, now):
            return None
        breaches = {**contact.breaches, deadline.value: now}
        self.store.contacts[contact_id] = replace(contact, breaches=breaches)
        return contact

    async def person_of_referral(self, referral_id: str) -> str | None:
        self._call("person_of_referral")
        for decision in self.store.decisions.values():
            if referral_id in decision.referral_ids:
                contact = self.store.contacts.get(decision.contact_id)
                return contact.person_id if contact else None
        return None

    async def redact(self, origin_event_ids: Sequence[str], redaction: Redaction) -> int:
        self._call("redact")
        changed = 0
        for key, contact in list(self.store.contacts.items()):
            if contact.origin_event_id in origin_event_ids:
                self.store.contacts[key] = replace(
                    contact, concern_summary=redaction.note, household=(), redaction=redaction
                )
                changed += 1
        return changed

    def _clock(self, contact: Contact) -> ContactClock:
        return ContactClock(
            contact_id=contact.contact_id,
            status=contact.status,
            rag_rating=contact.current_rating,
            received_at=contact.received_at,
            origin_agency=contact.origin_agency,
            person_id=contact.person_id,
            screen_by=contact.screen_by,
            decide_by=contact.decide_by,
            decided_at=contact.decision.decided_at if contact.decision else None,
            decided_in_time=contact.decision.decided_in_time if contact.decision else None,
        )

    async def clocks(self, limit: int) -> list[ContactClock]:
        self._call("clocks")
        open_ = [c for c in self.store.contacts.values() if c.status is not ContactStatus.DECIDED]
        return [self._clock(c) for c in open_[:limit]]

    async def clock(self, contact_id: str) -> ContactClock | None:
        self._call("clock")
        contact = self.store.contacts.get(contact_id)
        return self._clock(contact) if contact else None


class FakeEnquiries(_Repository):
    async def add_many(self, enquiries: Sequence[Enquiry]) -> None:
        self._call("add_many")
        for enquiry in enquiries:
            assert enquiry.enquiry_id not in self.store.enquiries, "duplicate key"
            self.store.enquiries[enquiry.enquiry_id] = enquiry

    async def get(self, enquiry_id: str) -> Enquiry | None:
        self._call("get")
        return self.store.enquiries.get(enquiry_id)

    async def record_answer(self, enquiry_id: str, answer: Answer) -> None:
        self._call("record_answer")
        enquiry = self.store.enquiries[enquiry_id]
        self.store.enquiries[enquiry_id] = replace(
            enquiry, status=EnquiryStatus.ANSWERED, answer=answer
        )

    async def answered_by(self, enquiry_id: str, answer_event_id: str) -> Enquiry | None:
        self._call("answered_by")
        enquiry = self.store.enquiries.get(enquiry_id)
        if enquiry and enquiry.answer and enquiry.answer.event_id == answer_event_id:
            return enquiry
        return None

    async def of_contact(self, contact_id: str) -> list[Enquiry]:
        self._call("of_contact")
        found = [e for e in self.store.enquiries.values() if e.contact_id == contact_id]
        return sorted(found, key=lambda e: e.agency.value)

    async def states_of(self, contact_ids: Sequence[str]) -> list[EnquiryState]:
        self._call("states_of")
        return [
            EnquiryState(
                e.enquiry_id,
                e.contact_id,
                e.agency,
                e.status,
                e.requested_at,
                e.respond_by,
                e.answer.answered_at if e.answer else None,
                bool(e.answer and e.answer.late),
            )
            for e in self.store.enquiries.values()
            if e.contact_id in contact_ids
        ]

    async def keep_unmatched(
        self, event_id: str, received_at: datetime, answer: Mapping[str, Any]
    ) -> None:
        self._call("keep_unmatched")
        self.store.unmatched[event_id] = {"received_at": received_at, "answer": answer}

    async def redact_answers(self, answer_event_ids: Sequence[str], note: str) -> int:
        self._call("redact_answers")
        changed = 0
        for key, enquiry in list(self.store.enquiries.items()):
            if enquiry.answer and enquiry.answer.event_id in answer_event_ids:
                removed = replace(enquiry.answer, content={"kind": "removed", "reason": note})
                self.store.enquiries[key] = replace(enquiry, answer=removed)
                changed += 1
        return changed


class FakePersons(_Repository):
    async def get(self, person_id: str) -> Person | None:
        self._call("get")
        return self.store.persons.get(person_id)

    async def get_many(self, person_ids: Sequence[str]) -> list[Person]:
        self._call("get_many")
        return [p for k, p in self.store.persons.items() if k in person_ids]

    async def exists(self, person_id: str) -> bool:
        self._call("exists")
        return person_id in self.store.persons

    async def with_nhs_numbers(self, numbers: Sequence[str]) -> list[Person]:
        self._call("with_nhs_numbers")
        return [p for p in self.store.persons.values() if p.nhs_number in numbers]

    async def holding(self, agencies: Sequence[str], ids: Sequence[str]) -> list[Person]:
        self._call("holding")
        return [
            p
            for p in self.store.persons.values()
            if any(i.agency in agencies for i in p.identifiers)
            and any(i.agency_person_id in ids for i in p.identifiers)
        ]

    async def id_with_nhs_number(self, nhs_number: str) -> str | None:
        self._call("id_with_nhs_number")
        return next((k for k, p in self.store.persons.items() if p.nhs_number == nhs_number), None)

    async def id_holding(self, identifier: Identifier) -> str | None:
        self._call("id_holding")
        return next((k for k, p in self.store.persons.items() if identifier in p.identifiers), None)

    async def add_many(self, persons: Sequence[Person]) -> None:
        self._call("add_many")
        for person in persons:
            assert person.person_id not in self.store.persons, "duplicate key"
            self.store.persons[person.person_id] = person

    async def learn(self, learnt: Sequence[Learnt]) -> None:
        self._call("learn")
        for what in learnt:
            person = self.store.persons[what.person_id]
            added = tuple(i for i in what.identifiers if i not in person.identifiers)
            self.store.persons[what.person_id] = replace(
                person,
                identifiers=person.identifiers + added,
                nhs_number=what.nhs_number or person.nhs_number,
            )

    async def in_blocks(self, keys: Sequence[str], after: str | None, limit: int) -> list[Person]:
        self._call("in_blocks")
        found = sorted(
            (
                p
                for p in self.store.persons.values()
                if p.merged_into is None
                and set(p.match_keys) & set(keys)
                and (after is None or p.person_id > after)
            ),
            key=lambda p: p.person_id,
        )
        return found[:limit]

    async def merged_into(self, person_id: str) -> list[Person]:
        self._call("merged_into")
        return [p for p in self.store.persons.values() if p.merged_into == person_id]

    async def link(self, person_id: str, survivor_id: str, link: PersonLink) -> None:
        self._call("link")
        person = self.store.persons[person_id]
        self.store.persons[person_id] = replace(person, merged_into=survivor_id, link=link)

    async def unlink(self, person_id: str, past: PastLink) -> None:
        self._call("unlink")
        person = self.store.persons[person_id]
        self.store.persons[person_id] = replace(
            person, merged_into=None, link=None, past_links=(*person.past_links, past)
        )


class FakeCandidates(_Repository):
    async def suggest(self, candidates: Sequence[Candidate]) -> list[str]:
        self._call("suggest")
        known = {c.pair for c in self.store.candidates.values()}
        made = []
        for candidate in candidates:
            if candidate.pair not in known:
                known.add(candidate.pair)
                self.store.candidates[candidate.candidate_id] = candidate
                made.append(candidate.candidate_id)
        return made

    async def get(self, candidate_id: str) -> Candidate | None:
        self._call("get")
        return self.store.candidates.get(candidate_id)

    async def decide(
        self,
        candidate_id: str,
        status: CandidateStatus,
        decided_by: str,
        decided_at: datetime,
        reason: str,
    ) -> bool:
        self._call("decide")
        candidate = self.store.candidates.get(candidate_id)
        if candidate is None or candidate.status is not CandidateStatus.OPEN:
            return False
        self.store.candidates[candidate_id] = replace(
            candidate, status=status, decided_by=decided_by, decided_at=decided_at, reason=reason
        )
        return True

    async def reject_unlinked(
        self, candidate_id: str, unlinked_by: str, unlinked_at: datetime, reason: str
    ) -> None:
        self._call("reject_unlinked")
        candidate = self.store.candidates[candidate_id]
        self.store.candidates[candidate_id] = replace(
            candidate,
            status=CandidateStatus.REJECTED,
            unlinked_by=unlinked_by,
            unlinked_at=unlinked_at,
            unlink_reason=reason,
        )

    async def page(
        self, status: CandidateStatus, limit: int, offset: int
    ) -> tuple[list[Candidate], int]:
        self._call("page")
        found = sorted(
            (c for c in self.store.candidates.values() if c.status is status),
            key=lambda c: (-c.score, c.candidate_id),
        )
        return found[offset : offset + limit], len(found)

    async def involving(self, person_id: str) -> list[Candidate]:
        self._call("involving")
        return [
            c
            for c in self.store.candidates.values()
            if person_id in (c.new_person_id, c.existing_person_id)
        ]


class FakeFacts(_HeldByPerson):
    def _records(self) -> dict[str, Any]:
        return self.store.facts

    async def add_many(self, facts: Sequence[Fact]) -> None:
        self._call("add_many")
        for fact in facts:
            assert fact.fact_id not in self.store.facts, "duplicate key"
            self.store.facts[fact.fact_id] = fact

    async def unlinked_sharing(self, keys: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
        self._call("unlinked_sharing")
        return [
            (f.fact_id, f.link_keys)
            for f in self.store.facts.values()
            if f.person_id is None and set(f.link_keys) & set(keys)
        ]

    async def adopt(self, fact_ids: Sequence[str], person_id: str) -> None:
        self._call("adopt")
        for key in fact_ids:
            fact = self.store.facts.get(key)
            if fact is not None and fact.person_id is None:
                self.store.facts[key] = replace(fact, person_id=person_id)

    async def linked_person(self, keys: Sequence[str]) -> str | None:
        self._call("linked_person")
        return next(
            (
                f.person_id
                for f in self.store.facts.values()
                if f.person_id is not None and set(f.link_keys) & set(keys)
            ),
            None,
        )

    async def of_person(self, person_id: str) -> list[Fact]:
        self._call("of_person")
        return [f for f in self.store.facts.values() if f.person_id == person_id]

    async def unlinked(self, limit: int) -> list[Fact]:
        self._call("unlinked")
        found = [f for f in self.store.facts.values() if f.person_id is None]
        return sorted(found, key=lambda f: f.asserted_at, reverse=True)[:limit]

    async def remove(
        self, event_ids: Sequence[str], consent_ref: str | None, reason: str, at: datetime
    ) -> int:
        self._call("remove")
        removed = 0
        for key, fact in list(self.store.facts.items()):
            by_consent = bool(consent_ref) and (
                fact.sharing.get("lawful_basis") == CONSENT_BASIS
                and fact.sharing.get("consent_ref") == consent_ref
            )
            if fact.removed is None and (fact.source_event_id in event_ids or by_consent):
                self.store.facts[key] = replace(
                    fact,
                    kind=FactKind.REMOVED,
                    removed=Removal(reason, at),
                    summary=None,
                    detail={},
                    occurred_at=None,
                    link_keys=(),
                )
                removed += 1
        return removed

    async def mark_consent_withdrawn(self, consent_id: str, withdrawn_at: datetime) -> None:
        self._call("mark_consent_withdrawn")
        for key, fact in list(self.store.facts.items()):
            if fact.kind == FactKind.CONSENT and fact.detail.get("consent_id") == consent_id:
                detail = {**fact.detail, "withdrawn_at": withdrawn_at}
                self.store.facts[key] = replace(fact, detail=detail)


class FakeTenantSettings(_Repository):
    async def screening_windows(self) -> ScreeningWindows:
        self._call("screening_windows")
        return self.store.windows


class FakeIdentityChanges(_Repository):
    async def add(self, change: IdentityChange) -> None:
        self._call("add")
        self.store.identity_changes.append(change)


class FakeSharingDecisions(_Repository):
    async def add(self, decision: Mapping[str, Any]) -> None:
        self._call("add")
        self.store.sharing_decisions.append(decision)


class FakeRecordViews(_Repository):
    async def add(self, view: RecordView) -> None:
        self._call("add")
        self.store.record_views.append(view)

    async def of_person(self, person_id: str, limit: int) -> list[RecordView]:
        self._call("of_person")
        found = [v for v in self.store.record_views if v.person_id == person_id]
        return sorted(found, key=lambda v: v.viewed_at, reverse=True)[:limit]


class FakeConsents(_Repository):
    async def withdrawn_at(self, consent_id: str) -> datetime | None:
        self._call("withdrawn_at")
        return self.store.consents.get(consent_id)


class FakeUnitOfWork:
    """One tenant's fake repositories; ``in_transaction`` if it may publish."""

    def __init__(self, tenant: str, store: Store, in_transaction: bool = True) -> None:
        self.tenant = tenant
        self.store = store
        self.in_transaction = in_transaction
        self.candidate_writes = 0
        self.contacts = FakeContacts(store)
        self.enquiries = FakeEnquiries(store)
        self.persons = FakePersons(store)
        self.candidates = FakeCandidates(store)
        self.facts = FakeFacts(store)
        self.settings = FakeTenantSettings(store)
        self.identity_changes = FakeIdentityChanges(store)
        self.sharing_decisions = FakeSharingDecisions(store)
        self.record_views = FakeRecordViews(store)
        self.consents = FakeConsents(store)

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        assert self.in_transaction, "only a unit of work with a transaction publishes"
        self.store.calls["outbox.add"] += 1
        self.store.published.extend(events)

    def published(self, event_name: str) -> list[CloudEvent]:
        """The events of ``event_name`` queued so far (committed or in this transaction)."""
        return [e for e in self.store.published if e.event_name == event_name]


class FakeUnitOfWorkFactory:
    """Fake units of work per tenant; a transaction that raises leaves no trace."""

    def __init__(self) -> None:
        self.stores: dict[str, Store] = {}
        self.committed = 0

    def store(self, tenant: str) -> Store:
        return self.stores.setdefault(tenant, Store())

    @asynccontextmanager
    async def transaction(self, tenant: str) -> AsyncIterator[FakeUnitOfWork]:
        store = self.store(tenant)
        saved = store.snapshot()
        try:
            yield FakeUnitOfWork(tenant, store)
        except BaseException:
            store.restore(saved)
            raise
        self.committed += 1

    def reading(self, tenant: str) -> FakeUnitOfWork:
        return FakeUnitOfWork(tenant, self.store(tenant), in_transaction=False)

    def unit_of_work(self, tenant: str) -> FakeUnitOfWork:
        """A unit of work in a transaction the caller holds (as the consumer's handlers get)."""
        return FakeUnitOfWork(tenant, self.store(tenant))


# --- what the handlers are given -------------------------------------------------------

TENANT = "hartlepool"
NHS = "9434765919"
HOME = Address(lines=("12 Marine Drive",), town="Hartlepool", postcode="TS24 7AB")
POLICE_SCREENING = SharingBasis(
    lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
)
SCHOOL_SCREENING = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
)


def concern(
    agency_person_id: str,
    given_name: str,
    *,
    agency: Agency = Agency.POLICE,
    family_name: str = "Hart",
    born: date = date(2016, 3, 1),
    sex: Sex = Sex.FEMALE,
    nhs_number: str | None = None,
    rating: RagRating | None = RagRating.AMBER,
    reference: str | None = None,
) -> Delivery:
    """A ``child-concern-raised`` as the police (or a school) publish it, delivered."""
    police = agency is Agency.POLICE
    event = CloudEvent.new(
        tenant=TENANT,
        producer="police-feed" if police else "education",
        subject=agency_person_id,
        payload=ChildConcernRaisedV2(
            agency_reference=AgencyReference(
                agency=agency, reference=reference or f"REF-{agency_person_id}"
            ),
            referral_source=ReferralSource.POLICE if police else ReferralSource.SCHOOLS,
            rag_rating=rating,
            concern_summary="Child present at a domestic incident.",
            child=ChildAsStated(
                agency_person_id=agency_person_id,
                given_name=given_name,
                family_name=family_name,
                date_of_birth=born,
                sex=sex,
                nhs_number=nhs_number,
                address=HOME,
            ),
            household=(
                HouseholdMember(
                    given_name="Kerry",
                    family_name=family_name,
                    relationship_to_child=Relationship.MOTHER,
                    lives_with_child=True,
                ),
            ),
            occurred_at=datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
        ),
        sharing=POLICE_SCREENING if police else SCHOOL_SCREENING,
    )
    return Delivery(event, SharingOutcome.SHARED, (), topic=event.topic, partition=0, offset=0)


def staff(*roles: Role, user_id: str = "u-hub-1") -> StaffUser:
    return StaffUser(
        user_id=user_id,
        roles=frozenset(roles or {Role.PRACTITIONER}),
        tenants=frozenset({TENANT}),
        purpose="screening a contact",
    )


async def take_in(uows: FakeUnitOfWorkFactory, clock: Clock, *deliveries: Delivery) -> list[str]:
    """Concerns through the front door's intake (with the view's facts), in one transaction;
    the ids of the contacts they made, in order."""
    from front_door.service_layer import view
    from front_door.service_layer.intake import concern_intake

    async with uows.transaction(TENANT) as uow:
        intake = concern_intake(clock, on_contacts=[view.record_concern_facts])
        await intake(deliveries, uow)
    made = {c.origin_event_id: c.contact_id for c in uows.store(TENANT).contacts.values()}
    return [made[d.event.id] for d in deliveries]


TUESDAY_9AM = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TRACING = TracerProvider()
"""Spans go nowhere: the handlers' journeys continue in a provider without exporters."""
RED = RateContact(rag_rating=RagRating.RED, rationale="Child present; repeat incidents.")


async def police_contact(uows: FakeUnitOfWorkFactory, clock: Clock) -> str:
    """A police concern about Amelia Hart taken in; its contact id."""
    [contact_id] = await take_in(uows, clock, concern("CLV-P-1", "Amelia", nhs_number=NHS))
    return contact_id


async def rate(
    uows: FakeUnitOfWorkFactory, clock: Clock, contact_id: str, command: RateContact = RED
) -> Rated:
    """A practitioner rates the contact."""
    return await rate_contact(uows, clock, TENANT, contact_id, command, staff(), TRACING)
