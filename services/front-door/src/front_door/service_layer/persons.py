"""The person index's candidate matches and the decisions hub staff make on them.

When a contact makes a new person, the persons of the tenant sharing one of
its ``match_keys`` are scored (``domain.identity``) and the pairs worth a look
are stored in ``person_candidates`` (open). Nothing merges on its own:

- **confirm** (hub manager): the new person is merged into the existing one
  (the survivor, ``merged_into``); contacts and facts carrying the merged
  person's id are repointed, and exactly what was repointed is kept with the
  link so that an unlink can put it back;
- **reject**: the pair is never suggested again (one candidate per pair);
- **unlink** (hub manager): a confirmed link is reversed exactly; the pair
  then counts as rejected.

Each decision is one transaction: the change, a row in ``identity_audit``
and a ``person-link-changed`` event in the outbox.

**Bounds.** However alike a burst of children is, intake's transaction stays
small (``suggest_candidates_for``):

- a new person is scored against at most ``BLOCK_LIMIT`` (500) persons of its
  block, and the block read of a run is bounded per blocking key, not per new
  person;
- a new person keeps at most ``CandidateLimits.per_person`` candidates (K,
  default 5, ``HUB_MAX_CANDIDATES_PER_PERSON``), best score first;
- one transaction writes at most ``CandidateLimits.per_transaction`` candidates
  (default 2,500 = 5 per person x the consumer's batch of 500 concerns,
  ``HUB_MAX_CANDIDATE_WRITES_PER_TRANSACTION``): so by default K alone keeps a
  batch within it, and a larger K cannot take it further. Past the cap every
  new person keeps its best candidates first, and how many were not written is
  logged (counts only).

The review list is paged (``service_layer.reads.candidate_page``): best score
first, then by id, with the total.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import PersonLinkChanged
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_service.clock import Clock
from hub_service.problems import ProblemError
from hub_service.staff import StaffUser
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from front_door.adapters.candidates import CANDIDATES as CANDIDATES
from front_door.adapters.candidates import ensure_candidate_indexes as ensure_candidate_indexes
from front_door.domain.candidates import Candidate, CandidateStatus, IdentityChange
from front_door.domain.identity import PersonDetails, Scored, candidates_for, share_budget
from front_door.domain.persons import PastLink, Person, PersonLink, Repointed
from front_door.service_layer.linking import survivor_of
from front_door.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("front_door.persons")
SERVICE = "front-door"
BLOCK_LIMIT = 500
"""Most persons scored for one new person (a block larger than this is a bad key)."""
BLOCK_READ_PAGE = 2_000
"""Persons read per round trip of a run's block read (one page holds most runs' blocks)."""
MAX_CANDIDATES_PER_PERSON = 5
"""K: most candidates suggested for one new person (``HUB_MAX_CANDIDATES_PER_PERSON``)."""
MAX_CANDIDATE_WRITES_PER_TRANSACTION = 2_500
"""Most candidate writes in one intake transaction
(``HUB_MAX_CANDIDATE_WRITES_PER_TRANSACTION``): K (5) x the consumer's batch (500)."""
IDENTITY_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.RECORDS_MANAGEMENT
)


@dataclass(frozen=True)
class CandidateLimits:
    """How many candidate matches intake may write (the front door's settings)."""

    per_person: int = MAX_CANDIDATES_PER_PERSON
    """K: the best this many candidates of a new person are kept."""
    per_transaction: int = MAX_CANDIDATE_WRITES_PER_TRANSACTION
    """Most candidate writes in one transaction, whatever its runs of concerns."""


DEFAULT_LIMITS = CandidateLimits()


@dataclass(frozen=True)
class Suggestions:
    """What ``suggest_candidates_for`` did for a run of new persons (ids and counts only)."""

    made: list[str] = field(default_factory=list)
    """Ids of the candidates stored (a pair already known is not stored again)."""
    written: int = 0
    """Candidate writes sent (each an upsert): what counts against the transaction's cap."""
    beyond_per_person: int = 0
    """Candidates found past a person's best K: not suggested."""
    not_written: int = 0
    """Candidates within K that the transaction's cap left out."""


async def suggest_candidates(
    db: AsyncDatabase[dict[str, Any]],
    session: AsyncClientSession,
    person_id: str,
    now: datetime,
) -> list[str]:
    """``suggest_candidates_for`` one person, in a transaction held outside a unit of work
    (scripts, tests): its database and session."""
    from front_door.adapters.unit_of_work import MongoUnitOfWork

    uow = MongoUnitOfWork("", db, session)
    person = await uow.persons.get(person_id)
    if person is None:
        return []
    return (await suggest_candidates_for(uow, [(0, person)], {}, [now])).made


async def suggest_candidates_for(
    uow: UnitOfWork,
    created: Sequence[tuple[int, Person]],
    nhs_stated_at: Mapping[str, int],
    suggested_at: Sequence[datetime],
    limits: CandidateLimits = DEFAULT_LIMITS,
    written_before: int = 0,
) -> Suggestions:
    """Store open candidates for the persons a run of children made, in one write.

    Compares only persons sharing a blocking key and not merged into another;
    a pair already known (open, rejected, unlinked) is never suggested again.
    ``created`` are the new persons with the position of the child that made
    each (``PersonLinks.created``); each is compared as it would have been
    had the run been linked one child at a time: with the persons made
    before it in the run, not after, and without an NHS number a later child
    stated (``nhs_stated_at``). ``suggested_at`` is indexed by position.

    Bounded whatever the run: each new person is scored against at most
    ``BLOCK_LIMIT`` persons of its block (the first by id), keeps its best
    ``limits.per_person`` candidates, and the run writes at most
    ``limits.per_transaction - written_before`` (what the transaction's
    earlier runs left); past that, each person keeps its best candidates
    first and the shortfall is logged.
    """
    keyed = [(p, person) for p, person in created if person.match_keys]
    if not keyed:
        return Suggestions()
    blocks = await _read_blocks(uow, keyed)
    made_at = {person.person_id: p for p, person in created}
    by_key: dict[str, list[int]] = {}  # blocking key -> positions in ``blocks``
    for n, person in enumerate(blocks):
        for key in person.match_keys:
            by_key.setdefault(key, []).append(n)

    def as_at(person: Person, position: int) -> PersonDetails:
        """The person as a child at ``position`` would have found it."""
        stated = nhs_stated_at.get(person.person_id)
        if stated is not None and stated >= position:
            return replace(person.details, nhs_number=None)
        return person.details

    found: list[list[Scored]] = []  # per new person, best first
    for position, person in keyed:
        sharing = sorted({n for key in person.match_keys for n in by_key.get(key, ())})
        block = [
            other
            for other in (blocks[n] for n in sharing)
            if other.person_id != person.person_id and made_at.get(other.person_id, -1) < position
        ][:BLOCK_LIMIT]
        found.append(candidates_for(as_at(person, position), (as_at(o, position) for o in block)))
    best = [ranked[: limits.per_person] for ranked in found]
    budget = max(0, limits.per_transaction - written_before)
    kept = share_budget(best, budget)
    beyond_per_person = sum(len(f) for f in found) - sum(len(b) for b in best)
    not_written = sum(len(b) for b in best) - sum(len(k) for k in kept)

    pairs = [
        Candidate(
            candidate_id=f"PC-{uuid.uuid4().hex[:12]}",
            new_person_id=person.person_id,
            existing_person_id=existing.person_id,
            score=result.score,
            evidence=result.evidence,
            status=CandidateStatus.OPEN,
            suggested_at=suggested_at[position],
        )
        for (position, person), candidates in zip(keyed, kept, strict=True)
        for existing, result in candidates
    ]
    made = await uow.candidates.suggest(pairs) if pairs else []
    suggestions = Suggestions(made, len(pairs), beyond_per_person, not_written)
    counts = {
        "new_persons": len(keyed),
        "count": len(made),
        "written": suggestions.written,
        "transaction_writes": written_before + suggestions.written,
        "beyond_per_person": beyond_per_person,
        "not_written": not_written,
    }
    if not_written:
        log.warning(
            "candidate matches not written: the transaction's cap is reached",
            extra={**counts, "cap": limits.per_transaction},
        )
    elif pairs:
        log.info("candidate matches suggested", extra=counts)
    return suggestions


async def _read_blocks(uow: UnitOfWork, keyed: Sequence[tuple[int, Person]]) -> list[Person]:
    """The persons (not merged) the new persons of a run may be scored against, by id.

    A new person is scored against the first ``BLOCK_LIMIT`` persons by id
    sharing one of its keys and made before it, so per key the first
    ``BLOCK_LIMIT`` plus the run's own persons holding it are enough, however
    many new persons share it. The read goes in id order a page at a time
    and leaves out each key once it has that many, so one large block never
    crowds out another key's persons; and it never reads more than
    ``BLOCK_LIMIT`` persons per new person in all.
    """
    holders = Counter(k for _, person in keyed for k in person.match_keys)
    wanted = {key: BLOCK_LIMIT + n for key, n in holders.items()}
    held = dict.fromkeys(wanted, 0)
    most = BLOCK_LIMIT * len(keyed)
    found: list[Person] = []
    after: str | None = None
    while len(found) < most and (keys := sorted(k for k, n in held.items() if n < wanted[k])):
        size = min(BLOCK_READ_PAGE, most - len(found))
        page = await uow.persons.in_blocks(keys, after, size)
        found += page
        for person in page:
            for key in person.match_keys:
                if key in held:
                    held[key] += 1
        if len(page) < size:
            break
        after = page[-1].person_id
    return found


# --- identity decisions ----------------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """A confirmed candidate: the merged person, its survivor, and what moved."""

    change_id: str
    survivor_id: str
    merged_person_id: str
    repointed: Repointed


@dataclass(frozen=True)
class Unlinked:
    """A reversed link: the person, its former survivor, and what went back."""

    change_id: str
    survivor_id: str
    person_id: str
    restored: Repointed


async def confirm_candidate(
    uows: UnitOfWorkFactory,
    clock: Clock,
    tenant: str,
    candidate_id: str,
    reason: str,
    user: StaffUser,
) -> Linked:
    """Link the pair: the new person is merged into the existing one (the survivor).

    Contacts and facts of the merged person move to the survivor, and exactly
    what moved is kept with the link, so that an unlink can put it back. Two
    different verified NHS numbers are never one child.
    """
    now = clock.now()
    change_id = f"IDC-{uuid.uuid4().hex[:12]}"
    async with uows.transaction(tenant) as uow:
        candidate = await _open_candidate(uow, candidate_id)
        existing = await _person(uow, candidate.existing_person_id)
        new = await _person(uow, candidate.new_person_id)
        survivor = await survivor_of(uow, existing)
        merged = await survivor_of(uow, new)
        if survivor.person_id == merged.person_id:
            raise ProblemError(409, "persons-already-linked", "both persons are already one")
        numbers = await _group_nhs_numbers(uow, survivor.person_id) | (
            await _group_nhs_numbers(uow, merged.person_id)
        )
        if len(numbers) > 1:
            raise ProblemError(
                409, "nhs-numbers-differ", "two different verified NHS numbers: never one child"
            )
        moved: dict[str, list[str]] = {}
        for name, records in (("contacts", uow.contacts), ("facts", uow.facts)):
            ids = await records.ids_of_person(merged.person_id)
            if ids:
                await records.move_to(ids, survivor.person_id)
            moved[name] = ids
        repointed = Repointed(tuple(moved["contacts"]), tuple(moved["facts"]))
        link = PersonLink(change_id, candidate_id, now, user.user_id, repointed)
        await uow.persons.link(merged.person_id, survivor.person_id, link)
        await _decide(uow, candidate_id, CandidateStatus.CONFIRMED, user, reason, now)
        event = await _audit(
            uow,
            change_id=change_id,
            action="linked",
            person_id=survivor.person_id,
            other_person_id=merged.person_id,
            candidate=candidate,
            user=user,
            reason=reason,
            now=now,
            repointed=repointed,
        )
        await uow.publish([event])
    log.info("persons linked", extra={"tenant": tenant, "change_id": change_id})
    return Linked(change_id, survivor.person_id, merged.person_id, repointed)


async def reject_candidate(
    uows: UnitOfWorkFactory,
    clock: Clock,
    tenant: str,
    candidate_id: str,
    reason: str,
    user: StaffUser,
) -> str:
    """The pair is not one child: close it, never to be suggested again; the change id."""
    now = clock.now()
    change_id = f"IDC-{uuid.uuid4().hex[:12]}"
    async with uows.transaction(tenant) as uow:
        candidate = await _open_candidate(uow, candidate_id)
        await _decide(uow, candidate_id, CandidateStatus.REJECTED, user, reason, now)
        event = await _audit(
            uow,
            change_id=change_id,
            action="rejected",
            person_id=candidate.existing_person_id,
            other_person_id=candidate.new_person_id,
            candidate=candidate,
            user=user,
            reason=reason,
            now=now,
        )
        await uow.publish([event])
    log.info("candidate rejected", extra={"tenant": tenant, "change_id": change_id})
    return change_id


async def unlink_person(
    uows: UnitOfWorkFactory,
    clock: Clock,
    tenant: str,
    person_id: str,
    reason: str,
    user: StaffUser,
) -> Unlinked:
    """Reverse the link that merged ``person_id`` into another person, exactly.

    What the link repointed goes back (if still on the survivor); contacts that
    arrived while linked stay with the survivor. The pair then counts as
    rejected, so it is not suggested again.
    """
    now = clock.now()
    change_id = f"IDC-{uuid.uuid4().hex[:12]}"
    async with uows.transaction(tenant) as uow:
        person = await _person(uow, person_id)
        if not person.merged_into or person.link is None:
            raise ProblemError(409, "person-not-linked", f"{person_id} is not merged into anyone")
        survivor_id, link = person.merged_into, person.link
        back: dict[str, list[str]] = {}
        for name, records, ids in (
            ("contacts", uow.contacts, link.repointed.contacts),
            ("facts", uow.facts, link.repointed.facts),
        ):
            back[name] = await records.ids_still_with(ids, survivor_id)
            if back[name]:
                await records.move_to(back[name], person_id)
        restored = Repointed(tuple(back["contacts"]), tuple(back["facts"]))
        await uow.persons.unlink(person_id, PastLink(link, survivor_id, now))
        candidate: Candidate | None = None
        if link.candidate_id:
            candidate = await uow.candidates.get(link.candidate_id)
            await uow.candidates.reject_unlinked(link.candidate_id, user.user_id, now, reason)
        event = await _audit(
            uow,
            change_id=change_id,
            action="unlinked",
            person_id=survivor_id,
            other_person_id=person_id,
            candidate=candidate,
            user=user,
            reason=reason,
            now=now,
            repointed=restored,
            reverses=link.change_id,
        )
        await uow.publish([event])
    log.info("persons unlinked", extra={"tenant": tenant, "change_id": change_id})
    return Unlinked(change_id, survivor_id, person_id, restored)


# --- helpers -----------------------------------------------------------------------


async def _open_candidate(uow: UnitOfWork, candidate_id: str) -> Candidate:
    candidate = await uow.candidates.get(candidate_id)
    if candidate is None:
        raise ProblemError(404, "candidate-not-found", f"no candidate {candidate_id}")
    if candidate.status is not CandidateStatus.OPEN:
        raise ProblemError(
            409, "candidate-already-decided", f"the candidate is {candidate.status.value}"
        )
    return candidate


async def _person(uow: UnitOfWork, person_id: str) -> Person:
    person = await uow.persons.get(person_id)
    if person is None:
        raise ProblemError(404, "person-not-found", f"no person {person_id}")
    return person


async def _group_nhs_numbers(uow: UnitOfWork, survivor_id: str) -> set[str]:
    """The verified NHS numbers of a survivor and of everyone merged into it (any depth)."""
    numbers: set[str] = set()
    todo, seen = [survivor_id], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        person = await uow.persons.get(current)
        if person is not None and (number := person.details.verified_nhs_number):
            numbers.add(number)
        todo.extend(p.person_id for p in await uow.persons.merged_into(current))
    return numbers


async def _decide(
    uow: UnitOfWork,
    candidate_id: str,
    status: CandidateStatus,
    user: StaffUser,
    reason: str,
    now: datetime,
) -> None:
    if not await uow.candidates.decide(candidate_id, status, user.user_id, now, reason):
        # decided by someone else meanwhile
        raise ProblemError(409, "candidate-already-decided", "the candidate was just decided")


async def _audit(
    uow: UnitOfWork,
    *,
    change_id: str,
    action: Literal["linked", "unlinked", "rejected"],
    person_id: str,
    other_person_id: str,
    candidate: Candidate | None,
    user: StaffUser,
    reason: str,
    now: datetime,
    repointed: Repointed | None = None,
    reverses: str | None = None,
) -> CloudEvent:
    """The audit row and the event of one identity decision."""
    evidence = candidate.evidence if candidate else {}
    summary = "; ".join(f"{k}={v}" for k, v in evidence.items()) or "no candidate evidence"
    change = PersonLinkChanged(
        change_id=change_id,
        action=action,
        person_id=person_id,
        other_person_id=other_person_id,
        candidate_id=candidate.candidate_id if candidate else None,
        evidence_summary=summary,
        score=candidate.score if candidate else None,
        decided_by=user.user_id,
        reason=reason,
        decided_at=now,
    )
    await uow.identity_changes.add(
        IdentityChange(change, tuple(sorted(user.roles)), repointed, reverses)
    )
    return CloudEvent.new(
        tenant=uow.tenant,
        producer=SERVICE,
        subject=person_id,
        payload=change,
        sharing=IDENTITY_BASIS,
        time=now,
    )
