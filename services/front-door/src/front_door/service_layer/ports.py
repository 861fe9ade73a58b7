"""What the service layer needs from storage: small repositories of typed domain objects.

Each port names the reads and writes the handlers actually make, no more. The
MongoDB implementations are in ``adapters`` (one module per collection, each a
handful of round trips whatever the batch: the bulk methods are one
``insert_many`` or ``bulk_write``); the in-memory ones the unit tests use are in
``tests/unit/front_door_fakes.py``. Every method works inside the unit of work's
transaction, if it has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from front_door.domain.audit import RecordView
from front_door.domain.candidates import Candidate, CandidateStatus, IdentityChange
from front_door.domain.contacts import (
    Contact,
    ContactClock,
    ContactStatus,
    Deadline,
    Decision,
    Rating,
    Redaction,
    ScreeningWindows,
)
from front_door.domain.enquiries import Answer, Enquiry, EnquiryState
from front_door.domain.facts import Fact
from front_door.domain.persons import Identifier, Learnt, PastLink, Person, PersonLink


class HeldByPerson(Protocol):
    """Records that carry a ``person_id`` and follow a link (contacts, facts)."""

    async def ids_of_person(self, person_id: str) -> list[str]:
        """The ids of the records of ``person_id``."""
        ...

    async def ids_still_with(self, ids: Sequence[str], person_id: str) -> list[str]:
        """Those of ``ids`` still with ``person_id``."""
        ...

    async def move_to(self, ids: Sequence[str], person_id: str) -> None:
        """Give the records ``ids`` to ``person_id`` (one write)."""
        ...


class Contacts(HeldByPerson, Protocol):
    """Contacts, and the decisions made on them (kept on the contact and in ``decisions``)."""

    async def add_many(self, contacts: Sequence[Contact]) -> None:
        """Store new contacts (one write)."""
        ...

    async def get(self, contact_id: str) -> Contact | None: ...

    async def made_by(self, origin_event_id: str) -> Contact | None:
        """The contact a concern (by its event id) made."""
        ...

    async def of_person(self, person_id: str) -> list[Contact]: ...

    async def queue(self, status: ContactStatus | None, limit: int) -> list[Contact]:
        """Contacts of ``status`` (else every undecided one), at most ``limit``."""
        ...

    async def rate(self, contact_id: str, rating: Rating, screen_by: datetime) -> None:
        """Record the rating; enquiries are open and the screening window runs to
        ``screen_by``."""
        ...

    async def decide(self, decision: Decision) -> None:
        """Record the decision, in ``decisions`` and on the contact (decided)."""
        ...

    async def past_deadline(self, deadline: Deadline, now: datetime) -> list[str]:
        """Undecided contacts whose ``deadline`` passed before ``now`` and is not yet flagged."""
        ...

    async def flag_breach(
        self, contact_id: str, deadline: Deadline, now: datetime
    ) -> Contact | None:
        """Flag the breach of ``deadline`` if the contact is still undecided, past it and not
        yet flagged; the contact as it was, or None (decided meanwhile, or flagged already)."""
        ...

    async def person_of_referral(self, referral_id: str) -> str | None:
        """The person of the contact whose decision routed ``referral_id``."""
        ...

    async def redact(self, origin_event_ids: Sequence[str], redaction: Redaction) -> int:
        """The contacts those events made lose the concern and household; how many did."""
        ...

    async def clocks(self, limit: int) -> list[ContactClock]:
        """The clocks of undecided contacts (no child, concern or decision reason)."""
        ...

    async def clock(self, contact_id: str) -> ContactClock | None: ...


class Enquiries(Protocol):
    """The hub's enquiries to agencies, their answers, and answers to no known enquiry."""

    async def add_many(self, enquiries: Sequence[Enquiry]) -> None: ...

    async def get(self, enquiry_id: str) -> Enquiry | None: ...

    async def record_answer(self, enquiry_id: str, answer: Answer) -> None: ...

    async def answered_by(self, enquiry_id: str, answer_event_id: str) -> Enquiry | None:
        """The enquiry, if the answer event ``answer_event_id`` answered it."""
        ...

    async def of_contact(self, contact_id: str) -> list[Enquiry]:
        """A contact's enquiries, by agency."""
        ...

    async def states_of(self, contact_ids: Sequence[str]) -> list[EnquiryState]:
        """Where the enquiries of these contacts stand (never the answers)."""
        ...

    async def keep_unmatched(
        self, event_id: str, received_at: datetime, answer: Mapping[str, Any]
    ) -> None:
        """Keep an answer to no known enquiry (never dropped: someone can see it)."""
        ...

    async def redact_answers(self, answer_event_ids: Sequence[str], note: str) -> int:
        """The answers those events gave say ``note`` instead; how many did."""
        ...


class Persons(Protocol):
    """The person index."""

    async def get(self, person_id: str) -> Person | None: ...

    async def get_many(self, person_ids: Sequence[str]) -> list[Person]:
        """The persons of ``person_ids`` that exist (one read)."""
        ...

    async def exists(self, person_id: str) -> bool: ...

    async def with_nhs_numbers(self, numbers: Sequence[str]) -> list[Person]:
        """Persons holding one of ``numbers`` (one read)."""
        ...

    async def holding(self, agencies: Sequence[str], ids: Sequence[str]) -> list[Person]:
        """Persons holding an identifier of one of ``agencies`` and one with one of ``ids``
        (one read; the caller checks which identifier)."""
        ...

    async def id_with_nhs_number(self, nhs_number: str) -> str | None: ...

    async def id_holding(self, identifier: Identifier) -> str | None: ...

    async def add_many(self, persons: Sequence[Person]) -> None:
        """Store new persons (one write)."""
        ...

    async def learn(self, learnt: Sequence[Learnt]) -> None:
        """Add identifiers and NHS numbers learnt about known persons (one write)."""
        ...

    async def in_blocks(self, keys: Sequence[str], after: str | None, limit: int) -> list[Person]:
        """Persons not merged that hold one of the blocking ``keys``, by id, after ``after``,
        at most ``limit`` (one page of a block read)."""
        ...

    async def merged_into(self, person_id: str) -> list[Person]:
        """The persons merged into ``person_id``."""
        ...

    async def link(self, person_id: str, survivor_id: str, link: PersonLink) -> None:
        """Merge ``person_id`` into ``survivor_id`` by ``link``."""
        ...

    async def unlink(self, person_id: str, past: PastLink) -> None:
        """Reverse ``person_id``'s link, kept as ``past``."""
        ...


class Candidates(Protocol):
    """Candidate matches of persons (one per pair)."""

    async def suggest(self, candidates: Sequence[Candidate]) -> list[str]:
        """Store candidates whose pair is not known yet (one write); the ids stored."""
        ...

    async def get(self, candidate_id: str) -> Candidate | None: ...

    async def decide(
        self,
        candidate_id: str,
        status: CandidateStatus,
        decided_by: str,
        decided_at: datetime,
        reason: str,
    ) -> bool:
        """Decide an open candidate; False if it was not open (decided meanwhile)."""
        ...

    async def reject_unlinked(
        self, candidate_id: str, unlinked_by: str, unlinked_at: datetime, reason: str
    ) -> None:
        """A confirmed pair was unlinked: it counts as rejected from now on."""
        ...

    async def page(
        self, status: CandidateStatus, limit: int, offset: int
    ) -> tuple[list[Candidate], int]:
        """A page by status, best score first then by id, and how many there are in all."""
        ...

    async def involving(self, person_id: str) -> list[Candidate]: ...


class Facts(HeldByPerson, Protocol):
    """The facts of the joined-up view."""

    async def add_many(self, facts: Sequence[Fact]) -> None:
        """Store facts (one write)."""
        ...

    async def unlinked_sharing(self, keys: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
        """Unlinked facts holding one of ``keys``: (fact id, its link keys) (one read)."""
        ...

    async def adopt(self, fact_ids: Sequence[str], person_id: str) -> None:
        """Link those of ``fact_ids`` still unlinked to ``person_id`` (one write)."""
        ...

    async def linked_person(self, keys: Sequence[str]) -> str | None:
        """The person of a linked fact holding one of ``keys``."""
        ...

    async def of_person(self, person_id: str) -> list[Fact]: ...

    async def unlinked(self, limit: int) -> list[Fact]:
        """Facts linked to nobody, newest asserted first."""
        ...

    async def remove(
        self, event_ids: Sequence[str], consent_ref: str | None, reason: str, at: datetime
    ) -> int:
        """Tombstone the facts of ``event_ids`` and those under consent ``consent_ref``; how
        many were removed (none already removed)."""
        ...

    async def mark_consent_withdrawn(self, consent_id: str, withdrawn_at: datetime) -> None: ...


class TenantSettings(Protocol):
    async def screening_windows(self) -> ScreeningWindows:
        """The tenant's screening windows (the defaults if it set none)."""
        ...


class IdentityChanges(Protocol):
    async def add(self, change: IdentityChange) -> None: ...


class SharingDecisions(Protocol):
    async def add(self, decision: Mapping[str, Any]) -> None:
        """Keep a sharing decision (``domain.sharing.decision_record``)."""
        ...


class RecordViews(Protocol):
    async def add(self, view: RecordView) -> None: ...

    async def of_person(self, person_id: str, limit: int) -> list[RecordView]:
        """Who looked at the person's record, newest first."""
        ...


class Consents(Protocol):
    async def withdrawn_at(self, consent_id: str) -> datetime | None:
        """When the consent was withdrawn, as the bus's consent bookkeeping recorded it."""
        ...
