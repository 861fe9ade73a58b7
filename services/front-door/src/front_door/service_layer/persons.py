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

The review list is paged (``list_candidates``): best score first, then by id,
with the total.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import PersonLinkChanged
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock
from hub_service.problems import ProblemError
from hub_service.staff import StaffUser
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from front_door.adapters.persons import PERSONS, survivor_of
from front_door.domain.identity import PersonDetails, Scored, candidates_for, share_budget

log = logging.getLogger("front_door.persons")
SERVICE = "front-door"
CONTACTS = "contacts"
"""The intake's collection (named here: intake calls this module, not the reverse)."""
CANDIDATES = "person_candidates"
IDENTITY_AUDIT = "identity_audit"
FACTS = "facts"
REPOINTED = (CONTACTS, FACTS)
"""Collections whose documents carry a ``person_id`` that follows a link."""
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
Document = dict[str, Any]


class CandidateStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def pair_key(a: str, b: str) -> str:
    """One key per unordered pair of persons: a pair is suggested at most once."""
    return "|".join(sorted((a, b)))


async def ensure_candidate_indexes(db: AsyncDatabase[Document]) -> None:
    await db[CANDIDATES].create_index("pair", unique=True)
    await db[CANDIDATES].create_index([("status", 1), ("score", -1), ("_id", 1)])
    await db[PERSONS].create_index("merged_into", sparse=True)


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
    db: AsyncDatabase[Document], session: AsyncClientSession, person_id: str, now: datetime
) -> list[str]:
    """Store open candidates for a new person against the tenant's other persons.

    Compares only persons sharing a blocking key and not merged into another;
    a pair already decided (rejected, or unlinked) is never suggested again.
    """
    doc: Document | None = await db[PERSONS].find_one({"_id": person_id}, session=session)
    if doc is None:
        return []
    return (await suggest_candidates_for(db, session, [(0, doc)], {}, [now])).made


async def suggest_candidates_for(
    db: AsyncDatabase[Document],
    session: AsyncClientSession,
    created: Sequence[tuple[int, Document]],
    nhs_stated_at: Mapping[str, int],
    suggested_at: Sequence[datetime],
    limits: CandidateLimits = DEFAULT_LIMITS,
    written_before: int = 0,
) -> Suggestions:
    """``suggest_candidates`` for the persons a run of children made, in one write.

    ``created`` are the new persons with the position of the child that made
    each (``PersonLinks.created``); each is compared as it would have been
    had the run been linked one child at a time: with the persons made
    before it in the run, not after, and without an NHS number a later child
    stated (``nhs_stated_at``). ``suggested_at`` is indexed by position.

    Bounded whatever the run: each new person is scored against at most
    ``BLOCK_LIMIT`` persons of its block (the first by ``_id``), keeps its best
    ``limits.per_person`` candidates, and the run writes at most
    ``limits.per_transaction - written_before`` (what the transaction's
    earlier runs left); past that, each person keeps its best candidates
    first and the shortfall is logged.
    """
    keyed = [(p, d) for p, d in created if d.get("match_keys")]
    if not keyed:
        return Suggestions()
    blocks = await _read_blocks(db, session, keyed)
    made_at = {d["_id"]: p for p, d in created}
    by_key: dict[str, list[int]] = {}  # blocking key -> positions in ``blocks``
    for n, d in enumerate(blocks):
        for key in d.get("match_keys") or ():
            by_key.setdefault(key, []).append(n)

    def as_at(doc: Document, position: int) -> PersonDetails:
        """The person as a child at ``position`` would have found it."""
        stated = nhs_stated_at.get(doc["_id"])
        if stated is not None and stated >= position:
            doc = {**doc, "nhs_number": None}
        return PersonDetails.from_document(doc)

    found: list[list[Scored]] = []  # per new person, best first
    for position, doc in keyed:
        person_id = doc["_id"]
        sharing = sorted({n for key in doc["match_keys"] for n in by_key.get(key, ())})
        block = [
            d
            for d in (blocks[n] for n in sharing)
            if d["_id"] != person_id and made_at.get(d["_id"], -1) < position
        ][:BLOCK_LIMIT]
        found.append(candidates_for(as_at(doc, position), (as_at(d, position) for d in block)))
    best = [ranked[: limits.per_person] for ranked in found]
    budget = max(0, limits.per_transaction - written_before)
    kept = share_budget(best, budget)
    beyond_per_person = sum(len(f) for f in found) - sum(len(b) for b in best)
    not_written = sum(len(b) for b in best) - sum(len(k) for k in kept)

    pairs: list[tuple[str, UpdateOne]] = []
    for (position, doc), candidates in zip(keyed, kept, strict=True):
        person_id = doc["_id"]
        for existing, result in candidates:
            candidate_id = f"PC-{uuid.uuid4().hex[:12]}"
            upsert = UpdateOne(
                {"pair": pair_key(person_id, existing.person_id)},
                {
                    "$setOnInsert": {
                        "_id": candidate_id,
                        "new_person_id": person_id,
                        "existing_person_id": existing.person_id,
                        "score": result.score,
                        "evidence": result.evidence,
                        "status": CandidateStatus.OPEN.value,
                        "suggested_at": suggested_at[position],
                    }
                },
                upsert=True,
            )
            pairs.append((candidate_id, upsert))
    made: list[str] = []
    if pairs:
        outcome = await db[CANDIDATES].bulk_write([u for _, u in pairs], session=session)
        made = [pairs[i][0] for i in sorted(outcome.upserted_ids or {})]
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


async def _read_blocks(
    db: AsyncDatabase[Document],
    session: AsyncClientSession,
    keyed: Sequence[tuple[int, Document]],
) -> list[Document]:
    """The persons (not merged) the new persons of a run may be scored against, by ``_id``.

    A new person is scored against the first ``BLOCK_LIMIT`` persons by ``_id``
    sharing one of its keys and made before it, so per key the first
    ``BLOCK_LIMIT`` plus the run's own persons holding it are enough, however
    many new persons share it. The read goes in ``_id`` order a page at a time
    and leaves out each key once it has that many, so one large block never
    crowds out another key's persons; and it never reads more than
    ``BLOCK_LIMIT`` persons per new person in all.
    """
    holders = Counter(k for _, d in keyed for k in d["match_keys"])
    wanted = {key: BLOCK_LIMIT + n for key, n in holders.items()}
    held = dict.fromkeys(wanted, 0)
    most = BLOCK_LIMIT * len(keyed)
    found: list[Document] = []
    after: str | None = None
    while len(found) < most and (keys := sorted(k for k, n in held.items() if n < wanted[k])):
        query: Document = {"match_keys": {"$in": keys}, "merged_into": None}
        if after is not None:
            query["_id"] = {"$gt": after}
        size = min(BLOCK_READ_PAGE, most - len(found))
        page: list[Document] = (
            await db[PERSONS].find(query, session=session).sort("_id", 1).limit(size).to_list()
        )
        found += page
        for doc in page:
            for key in doc.get("match_keys") or ():
                if key in held:
                    held[key] += 1
        if len(page) < size:
            break
        after = page[-1]["_id"]
    return found


@dataclass(frozen=True)
class CandidatePage:
    """One page of the review list, and how many candidates there are in all."""

    items: list[Document]
    total: int


async def list_candidates(
    db: AsyncDatabase[Document], status: CandidateStatus, limit: int, offset: int = 0
) -> CandidatePage:
    """A page of candidates by status, best score first (then by id, so pages are stable),
    each with both persons as the hub holds them, and the total of that status."""
    query = {"status": status.value}
    docs: list[Document] = (
        await db[CANDIDATES]
        .find(query)
        .sort([("score", -1), ("_id", 1)])
        .skip(offset)
        .limit(limit)
        .to_list()
    )
    total = await db[CANDIDATES].count_documents(query)
    ids = {d[k] for d in docs for k in ("new_person_id", "existing_person_id")}
    persons = {p["_id"]: p for p in await db[PERSONS].find({"_id": {"$in": list(ids)}}).to_list()}
    items = [
        {
            **_candidate_public(d),
            "new_person": _person_summary(persons.get(d["new_person_id"])),
            "existing_person": _person_summary(persons.get(d["existing_person_id"])),
        }
        for d in docs
    ]
    return CandidatePage(items, total)


async def person_view(db: AsyncDatabase[Document], person_id: str) -> Document:
    """One person: identifiers, whom it was merged into, who was merged into it."""
    doc: Document | None = await db[PERSONS].find_one({"_id": person_id})
    if doc is None:
        raise ProblemError(404, "person-not-found", f"no person {person_id}")
    survivor = await survivor_of(db, None, doc)
    linked: list[Document] = await db[PERSONS].find({"merged_into": person_id}).to_list()
    candidates: list[Document] = (
        await db[CANDIDATES]
        .find({"$or": [{"new_person_id": person_id}, {"existing_person_id": person_id}]})
        .to_list()
    )
    return {
        **_person_summary(doc),
        "identifiers": doc.get("identifiers", []),
        "nhs_number": doc.get("nhs_number"),
        "merged_into": doc.get("merged_into"),
        "survivor_id": survivor["_id"],
        "linked_persons": [
            {
                "person_id": p["_id"],
                "identifiers": p.get("identifiers", []),
                "nhs_number": p.get("nhs_number"),
                "linked_at": (p.get("link") or {}).get("linked_at"),
                "change_id": (p.get("link") or {}).get("change_id"),
            }
            for p in linked
        ],
        "candidates": [_candidate_public(c) for c in candidates],
    }


async def confirm_candidate(
    runtime: ServiceRuntime,
    clock: Clock,
    tenant: str,
    candidate_id: str,
    reason: str,
    user: StaffUser,
) -> Document:
    """Link the pair: the new person is merged into the existing one (the survivor)."""
    now = clock.now()
    change_id = f"IDC-{uuid.uuid4().hex[:12]}"
    async with runtime.transaction(tenant) as tx:
        candidate = await _open_candidate(tx.db, tx.session, candidate_id)
        existing = await _person(tx.db, tx.session, candidate["existing_person_id"])
        new = await _person(tx.db, tx.session, candidate["new_person_id"])
        survivor = await survivor_of(tx.db, tx.session, existing)
        merged = await survivor_of(tx.db, tx.session, new)
        if survivor["_id"] == merged["_id"]:
            raise ProblemError(409, "persons-already-linked", "both persons are already one")
        numbers = await _group_nhs_numbers(tx.db, tx.session, survivor["_id"]) | (
            await _group_nhs_numbers(tx.db, tx.session, merged["_id"])
        )
        if len(numbers) > 1:
            raise ProblemError(
                409, "nhs-numbers-differ", "two different verified NHS numbers: never one child"
            )
        repointed: dict[str, list[str]] = {}
        for collection in REPOINTED:
            ids = [
                str(d["_id"])
                async for d in tx.db[collection].find(
                    {"person_id": merged["_id"]}, {"_id": 1}, session=tx.session
                )
            ]
            if ids:
                await tx.db[collection].update_many(
                    {"_id": {"$in": ids}},
                    {"$set": {"person_id": survivor["_id"]}},
                    session=tx.session,
                )
            repointed[collection] = ids
        link = {
            "change_id": change_id,
            "candidate_id": candidate_id,
            "linked_at": now,
            "linked_by": user.user_id,
            "repointed": repointed,
        }
        await tx.db[PERSONS].update_one(
            {"_id": merged["_id"]},
            {"$set": {"merged_into": survivor["_id"], "link": link}},
            session=tx.session,
        )
        await _decide(tx.db, tx.session, candidate_id, CandidateStatus.CONFIRMED, user, reason, now)
        event = await _audit(
            tx.db,
            tx.session,
            tenant,
            change_id=change_id,
            action="linked",
            person_id=survivor["_id"],
            other_person_id=merged["_id"],
            candidate=candidate,
            user=user,
            reason=reason,
            now=now,
            repointed=repointed,
        )
        await tx.publish([event])
    log.info("persons linked", extra={"tenant": tenant, "change_id": change_id})
    return {
        "change_id": change_id,
        "action": "linked",
        "survivor_id": survivor["_id"],
        "merged_person_id": merged["_id"],
        "repointed": {k: len(v) for k, v in repointed.items()},
    }


async def reject_candidate(
    runtime: ServiceRuntime,
    clock: Clock,
    tenant: str,
    candidate_id: str,
    reason: str,
    user: StaffUser,
) -> Document:
    """The pair is not one child: close it, never to be suggested again."""
    now = clock.now()
    change_id = f"IDC-{uuid.uuid4().hex[:12]}"
    async with runtime.transaction(tenant) as tx:
        candidate = await _open_candidate(tx.db, tx.session, candidate_id)
        await _decide(tx.db, tx.session, candidate_id, CandidateStatus.REJECTED, user, reason, now)
        event = await _audit(
            tx.db,
            tx.session,
            tenant,
            change_id=change_id,
            action="rejected",
            person_id=candidate["existing_person_id"],
            other_person_id=candidate["new_person_id"],
            candidate=candidate,
            user=user,
            reason=reason,
            now=now,
        )
        await tx.publish([event])
    log.info("candidate rejected", extra={"tenant": tenant, "change_id": change_id})
    return {"change_id": change_id, "action": "rejected", "candidate_id": candidate_id}


async def unlink_person(
    runtime: ServiceRuntime,
    clock: Clock,
    tenant: str,
    person_id: str,
    reason: str,
    user: StaffUser,
) -> Document:
    """Reverse the link that merged ``person_id`` into another person, exactly.

    What the link repointed goes back (if still on the survivor); contacts that
    arrived while linked stay with the survivor. The pair then counts as
    rejected, so it is not suggested again.
    """
    now = clock.now()
    change_id = f"IDC-{uuid.uuid4().hex[:12]}"
    async with runtime.transaction(tenant) as tx:
        person = await _person(tx.db, tx.session, person_id)
        if not person.get("merged_into"):
            raise ProblemError(409, "person-not-linked", f"{person_id} is not merged into anyone")
        survivor_id = person["merged_into"]
        link: Document = person.get("link") or {}
        restored: dict[str, list[str]] = {}
        for collection, ids in (link.get("repointed") or {}).items():
            back = [
                str(d["_id"])
                async for d in tx.db[collection].find(
                    {"_id": {"$in": ids}, "person_id": survivor_id}, {"_id": 1}, session=tx.session
                )
            ]
            if back:
                await tx.db[collection].update_many(
                    {"_id": {"$in": back}}, {"$set": {"person_id": person_id}}, session=tx.session
                )
            restored[collection] = back
        await tx.db[PERSONS].update_one(
            {"_id": person_id},
            {
                "$unset": {"merged_into": "", "link": ""},
                "$push": {"past_links": {**link, "survivor_id": survivor_id, "unlinked_at": now}},
            },
            session=tx.session,
        )
        candidate: Document | None = None
        if link.get("candidate_id"):
            candidate = await tx.db[CANDIDATES].find_one(
                {"_id": link["candidate_id"]}, session=tx.session
            )
            await tx.db[CANDIDATES].update_one(
                {"_id": link["candidate_id"]},
                {
                    "$set": {
                        "status": CandidateStatus.REJECTED.value,
                        "unlinked_at": now,
                        "unlinked_by": user.user_id,
                        "unlink_reason": reason,
                    }
                },
                session=tx.session,
            )
        event = await _audit(
            tx.db,
            tx.session,
            tenant,
            change_id=change_id,
            action="unlinked",
            person_id=survivor_id,
            other_person_id=person_id,
            candidate=candidate,
            user=user,
            reason=reason,
            now=now,
            repointed=restored,
            reverses=link.get("change_id"),
        )
        await tx.publish([event])
    log.info("persons unlinked", extra={"tenant": tenant, "change_id": change_id})
    return {
        "change_id": change_id,
        "action": "unlinked",
        "survivor_id": survivor_id,
        "person_id": person_id,
        "restored": {k: len(v) for k, v in restored.items()},
    }


# --- helpers -----------------------------------------------------------------------


async def _open_candidate(
    db: AsyncDatabase[Document], session: AsyncClientSession, candidate_id: str
) -> Document:
    doc: Document | None = await db[CANDIDATES].find_one({"_id": candidate_id}, session=session)
    if doc is None:
        raise ProblemError(404, "candidate-not-found", f"no candidate {candidate_id}")
    if doc["status"] != CandidateStatus.OPEN.value:
        raise ProblemError(409, "candidate-already-decided", f"the candidate is {doc['status']}")
    return doc


async def _person(
    db: AsyncDatabase[Document], session: AsyncClientSession, person_id: str
) -> Document:
    doc: Document | None = await db[PERSONS].find_one({"_id": person_id}, session=session)
    if doc is None:
        raise ProblemError(404, "person-not-found", f"no person {person_id}")
    return doc


async def _group_nhs_numbers(
    db: AsyncDatabase[Document], session: AsyncClientSession, survivor_id: str
) -> set[str]:
    """The verified NHS numbers of a survivor and of everyone merged into it (any depth)."""
    numbers: set[str] = set()
    todo, seen = [survivor_id], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        doc = await db[PERSONS].find_one({"_id": current}, session=session)
        if doc is not None:
            number = PersonDetails.from_document(doc).verified_nhs_number
            if number:
                numbers.add(number)
        todo.extend(
            [d["_id"] async for d in db[PERSONS].find({"merged_into": current}, session=session)]
        )
    return numbers


async def _decide(
    db: AsyncDatabase[Document],
    session: AsyncClientSession,
    candidate_id: str,
    status: CandidateStatus,
    user: StaffUser,
    reason: str,
    now: datetime,
) -> None:
    result = await db[CANDIDATES].update_one(
        {"_id": candidate_id, "status": CandidateStatus.OPEN.value},
        {
            "$set": {
                "status": status.value,
                "decided_by": user.user_id,
                "decided_at": now,
                "reason": reason,
            }
        },
        session=session,
    )
    if result.modified_count != 1:  # decided by someone else meanwhile
        raise ProblemError(409, "candidate-already-decided", "the candidate was just decided")


async def _audit(
    db: AsyncDatabase[Document],
    session: AsyncClientSession,
    tenant: str,
    *,
    change_id: str,
    action: Literal["linked", "unlinked", "rejected"],
    person_id: str,
    other_person_id: str,
    candidate: Document | None,
    user: StaffUser,
    reason: str,
    now: datetime,
    repointed: dict[str, list[str]] | None = None,
    reverses: str | None = None,
) -> CloudEvent:
    """The audit row and the event of one identity decision."""
    evidence = (candidate or {}).get("evidence") or {}
    summary = "; ".join(f"{k}={v}" for k, v in evidence.items()) or "no candidate evidence"
    payload = PersonLinkChanged(
        change_id=change_id,
        action=action,
        person_id=person_id,
        other_person_id=other_person_id,
        candidate_id=(candidate or {}).get("_id"),
        evidence_summary=summary,
        score=(candidate or {}).get("score"),
        decided_by=user.user_id,
        reason=reason,
        decided_at=now,
    )
    row: Document = {
        "_id": change_id,
        **payload.model_dump(mode="python", exclude={"change_id"}),
        "decided_by_roles": sorted(user.roles),
        "repointed": repointed or {},
        "reverses": reverses,
    }
    try:
        await db[IDENTITY_AUDIT].insert_one(row, session=session)
    except DuplicateKeyError as exc:  # pragma: no cover - ids are random
        raise ProblemError(409, "identity-change-conflict", "retry the decision") from exc
    return CloudEvent.new(
        tenant=tenant,
        producer=SERVICE,
        subject=person_id,
        payload=payload,
        sharing=IDENTITY_BASIS,
        time=now,
    )


def _candidate_public(doc: Document) -> Document:
    out = {k: v for k, v in doc.items() if k not in ("_id", "pair")}
    out["candidate_id"] = doc["_id"]
    return out


def _person_summary(doc: Document | None) -> Document:
    if doc is None:
        return {}
    address = doc.get("address") or {}
    return {
        "person_id": doc["_id"],
        "given_name": doc.get("given_name"),
        "family_name": doc.get("family_name"),
        "date_of_birth": doc.get("date_of_birth"),
        "sex": doc.get("sex"),
        "postcode": address.get("postcode"),
        "has_nhs_number": bool(doc.get("nhs_number")),
        "merged_into": doc.get("merged_into"),
    }
