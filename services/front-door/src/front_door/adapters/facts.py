"""The timeline's store: one document per thing an agency asserted (collection ``facts``).

Each fact has a ``person_id`` (or ``None`` while no deterministic link exists)
and ``link_keys``: agency-scoped ids (``early-help/ref/EP-1``,
``police/person/P-9``) an unlinked fact can later be linked through. A new
linked fact with the same key adopts the unlinked ones; nothing weaker ever
links a fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hub_contracts.codes import Agency
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from front_door.adapters.persons import PERSONS
from front_door.domain.view import FACT_DATA, FactKind

FACTS = "facts"
CONTACTS = "contacts"
DECISIONS = "decisions"
"""The front door's contacts and decisions (read here to link a referral back to its child)."""
Document = dict[str, Any]
Db = AsyncDatabase[Document]


def person_key(agency: str, agency_person_id: str) -> str:
    """Link key of an agency's own id for a child."""
    return f"{agency}/person/{agency_person_id}"


def ref_key(agency: str, reference: str) -> str:
    """Link key of an agency's record that concerns one child (an episode, a case)."""
    return f"{agency}/ref/{reference}"


async def ensure_fact_indexes(db: Db) -> None:
    await db[FACTS].create_index("person_id")
    await db[FACTS].create_index("link_keys")
    await db[FACTS].create_index("source_event_id")
    await db[FACTS].create_index("sharing.consent_ref", sparse=True)


async def add_facts(db: Db, session: AsyncClientSession, facts: Sequence[Document]) -> None:
    """Store facts; a linked fact adopts unlinked ones that share one of its link keys.

    One ``insert_many``, one read of the unlinked facts sharing a key, and an
    update only for persons that adopt any (the first person, in the order of
    ``facts``, whose keys an unlinked fact shares).
    """
    if not facts:
        return
    await db[FACTS].insert_many(list(facts), session=session)
    by_person: dict[str, set[str]] = {}
    for fact in facts:
        if fact.get("person_id") and fact.get("link_keys"):
            by_person.setdefault(fact["person_id"], set()).update(fact["link_keys"])
    if not by_person:
        return
    keys = sorted(set().union(*by_person.values()))
    unlinked = db[FACTS].find(
        {"person_id": None, "link_keys": {"$in": keys}}, {"link_keys": 1}, session=session
    )
    adopted: dict[str, list[Any]] = {}
    async for orphan in unlinked:
        shared = set(orphan.get("link_keys") or ())
        person_id = next(p for p, k in by_person.items() if k & shared)
        adopted.setdefault(person_id, []).append(orphan["_id"])
    for person_id, ids in adopted.items():
        await db[FACTS].update_many(
            {"_id": {"$in": ids}, "person_id": None},
            {"$set": {"person_id": person_id}},
            session=session,
        )


async def find_person(
    db: Db,
    session: AsyncClientSession,
    *,
    keys: Sequence[str] = (),
    nhs_number: str | None = None,
    person_id: str | None = None,
) -> str | None:
    """The hub person an event is about, by deterministic evidence only, else None.

    In order: a hub person id, a verified NHS number, an agency's own id for a
    child the index already holds, then a fact already linked through the
    same agency-scoped key.
    """
    if person_id:
        found = await db[PERSONS].find_one({"_id": person_id}, {"_id": 1}, session=session)
        if found:
            return str(found["_id"])
    if nhs_number:
        found = await db[PERSONS].find_one({"nhs_number": nhs_number}, {"_id": 1}, session=session)
        if found:
            return str(found["_id"])
    for key in keys:
        agency, kind, value = key.split("/", 2)
        if kind != "person":
            continue
        identifier = {"agency": agency, "id": value}
        found = await db[PERSONS].find_one(
            {"identifiers": {"$elemMatch": identifier}}, {"_id": 1}, session=session
        )
        if found:
            return str(found["_id"])
    for key in keys:
        agency, kind, value = key.split("/", 2)
        if agency == Agency.HUB.value and kind == "ref":
            # a referral the hub routed: its decision names the contact, the contact the person
            decision = await db[DECISIONS].find_one(
                {"referral_ids": value}, {"_id": 1}, session=session
            )
            contact = decision and await db[CONTACTS].find_one(
                {"_id": decision["_id"]}, {"person_id": 1}, session=session
            )
            if contact:
                return str(contact["person_id"])
    if keys:
        fact = await db[FACTS].find_one(
            {"link_keys": {"$in": list(keys)}, "person_id": {"$ne": None}},
            {"person_id": 1},
            session=session,
        )
        if fact:
            return str(fact["person_id"])
    return None


async def person_facts(db: Db, person_id: str) -> list[Document]:
    facts: list[Document] = await db[FACTS].find({"person_id": person_id}).to_list()
    return facts


async def unlinked_facts(db: Db, limit: int) -> list[Document]:
    cursor = db[FACTS].find({"person_id": None}).sort("asserted_at", DESCENDING).limit(limit)
    facts: list[Document] = await cursor.to_list()
    return facts


async def remove_facts(
    db: Db, session: AsyncClientSession, query: Document, reason: str, at: datetime
) -> int:
    """Replace the data of matching facts by a tombstone; returns how many were removed."""
    unset = dict.fromkeys(FACT_DATA, "")
    result = await db[FACTS].update_many(
        {**query, "removed": {"$exists": False}},
        {
            "$set": {"kind": FactKind.REMOVED, "removed": {"reason": reason, "at": at}},
            "$unset": unset,
        },
        session=session,
    )
    return result.modified_count


async def mark_consent_withdrawn(
    db: Db, session: AsyncClientSession, consent_id: str, withdrawn_at: datetime
) -> None:
    await db[FACTS].update_many(
        {"kind": FactKind.CONSENT, "detail.consent_id": consent_id},
        {"$set": {"detail.withdrawn_at": withdrawn_at}},
        session=session,
    )


ACCESS_LOG_SORT = [("viewed_at", DESCENDING)]
RECORD_VIEW_INDEX = [("person_id", ASCENDING), ("viewed_at", DESCENDING)]
