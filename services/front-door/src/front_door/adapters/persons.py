"""The hub's person index for one tenant (collection ``persons``).

Deterministic links only: a verified NHS number, or an agency's own id for a
child already linked. Anything weaker makes a new person, indexed under its
``match_keys`` so that candidate matches can be suggested for a hub person to
confirm (``service_layer.persons``; never an automatic merge). A person merged
into another (``merged_into``) resolves to its survivor.
"""

from __future__ import annotations

import uuid
from typing import Any

from hub_contracts.codes import Agency
from hub_contracts.events.common import ChildAsStated
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from front_door.domain.identity import PersonDetails, blocking_keys

PERSONS = "persons"
Document = dict[str, Any]


async def ensure_person_indexes(db: AsyncDatabase[Document]) -> None:
    await db[PERSONS].create_index("nhs_number", unique=True, sparse=True)
    await db[PERSONS].create_index([("identifiers.agency", 1), ("identifiers.id", 1)])
    await db[PERSONS].create_index("match_keys")
    async for doc in db[PERSONS].find({"match_keys": {"$exists": False}}):  # made before keys
        keys = blocking_keys(PersonDetails.from_document(doc))
        await db[PERSONS].update_one({"_id": doc["_id"]}, {"$set": {"match_keys": keys}})


async def survivor_of(
    db: AsyncDatabase[Document], session: AsyncClientSession | None, person: Document
) -> Document:
    """The person ``person`` was merged into (following the chain), or itself."""
    seen = {person["_id"]}
    while person.get("merged_into"):
        found = await db[PERSONS].find_one({"_id": person["merged_into"]}, session=session)
        if found is None or found["_id"] in seen:
            break
        seen.add(found["_id"])
        person = found
    return person


async def link_child(
    db: AsyncDatabase[Document],
    session: AsyncClientSession,
    child: ChildAsStated,
    agency: Agency | None,
) -> tuple[str, str]:
    """The hub person id for ``child`` and how it was linked (``nhs-number``,
    ``agency-id`` or ``new``)."""
    persons = db[PERSONS]
    identifier = {"agency": (agency or Agency.HUB).value, "id": child.agency_person_id}
    found: Document | None = None
    how = "new"
    if child.nhs_number:
        found = await persons.find_one({"nhs_number": child.nhs_number}, session=session)
        how = "nhs-number"
    if found is None:
        found = await persons.find_one({"identifiers": {"$elemMatch": identifier}}, session=session)
        how = "agency-id"
    if found is None:
        person_id = f"HP-{uuid.uuid4().hex[:12]}"
        doc: Document = {
            "_id": person_id,
            "given_name": child.given_name,
            "family_name": child.family_name,
            "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
            "sex": child.sex.value,
            "address": child.address.model_dump(mode="json") if child.address else None,
            "identifiers": [identifier],
        }
        if child.nhs_number:
            doc["nhs_number"] = child.nhs_number
        doc["match_keys"] = blocking_keys(PersonDetails.from_document(doc))
        await persons.insert_one(doc, session=session)
        return person_id, "new"
    update: Document = {"$addToSet": {"identifiers": identifier}}
    if child.nhs_number and not found.get("nhs_number"):
        update["$set"] = {"nhs_number": child.nhs_number}
    await persons.update_one({"_id": found["_id"]}, update, session=session)
    survivor = await survivor_of(db, session, found)
    return str(survivor["_id"]), how
