"""The hub's person index for one tenant (collection ``persons``).

Deterministic links only: a verified NHS number, or an agency's own id for a
child already linked. Anything weaker makes a new person, indexed under its
``match_keys`` so that candidate matches can be suggested for a hub person to
confirm (``service_layer.persons``; never an automatic merge). A person merged
into another (``merged_into``) resolves to its survivor.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hub_contracts.codes import Agency
from hub_contracts.events.common import ChildAsStated
from pymongo import UpdateOne
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


@dataclass
class PersonLinks:
    """How a run of children (in order) was linked to hub persons.

    The result is what linking them one after the other would give: a child
    finds the persons the children before it made or gave an identifier.
    """

    person_ids: list[str] = field(default_factory=list)
    """The hub person (the survivor, for a merged person) of each child."""
    linked_by: list[str] = field(default_factory=list)
    """How each child was linked: ``nhs-number``, ``agency-id`` or ``new``."""
    created: list[tuple[int, Document]] = field(default_factory=list)
    """The persons made, each with the position of the child that made it."""
    nhs_stated_at: dict[str, int] = field(default_factory=dict)
    """Persons made or found without an NHS number that a later child in the run stated:
    the position of that child (before it, the person had no NHS number)."""


class _Index:
    """The persons a run of children may link to, as linking one by one would see them."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self.by_nhs: dict[str, Document] = {}
        self.by_identifier: dict[tuple[str, str], list[Document]] = {}
        for doc in docs:  # in the order the database holds them: first holder wins
            self.add(doc)

    def add(self, doc: Document) -> None:
        if doc.get("nhs_number"):
            self.by_nhs.setdefault(doc["nhs_number"], doc)
        for identifier in doc.get("identifiers") or ():
            self.hold(doc, identifier)

    def hold(self, doc: Document, identifier: Document) -> None:
        holders = self.by_identifier.setdefault((identifier["agency"], identifier["id"]), [])
        if all(h["_id"] != doc["_id"] for h in holders):
            holders.append(doc)

    def find(self, nhs_number: str | None, identifier: Document) -> tuple[Document | None, str]:
        if nhs_number and (found := self.by_nhs.get(nhs_number)) is not None:
            return found, "nhs-number"
        holders = self.by_identifier.get((identifier["agency"], identifier["id"]))
        return (holders[0] if holders else None), ("agency-id" if holders else "new")


def _identifier(child: ChildAsStated, agency: Agency | None) -> Document:
    return {"agency": (agency or Agency.HUB).value, "id": child.agency_person_id}


def _new_person(child: ChildAsStated, identifier: Document) -> Document:
    doc: Document = {
        "_id": f"HP-{uuid.uuid4().hex[:12]}",
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
    return doc


async def link_children(
    db: AsyncDatabase[Document],
    session: AsyncClientSession,
    children: Sequence[tuple[ChildAsStated, Agency | None]],
) -> PersonLinks:
    """Link each child (with the agency that stated it) to a hub person, in a few round trips.

    Deterministic links only, as ``link_child``: a verified NHS number, else the
    agency's own id; else a new person. Two children of the run with the same
    NHS number or agency id get the same person. The index is read with two
    ``$in`` queries; new persons are stored with one ``insert_many`` and the
    identifiers (and NHS numbers) learnt about known persons with one bulk write.
    """
    persons = db[PERSONS]
    wanted = [(child, _identifier(child, agency)) for child, agency in children]
    numbers = sorted({child.nhs_number for child, _ in wanted if child.nhs_number})
    known: list[Document] = []
    if numbers:
        known += await persons.find({"nhs_number": {"$in": numbers}}, session=session).to_list()
    agencies = sorted({i["agency"] for _, i in wanted})
    ids = sorted({i["id"] for _, i in wanted})
    held = await persons.find(
        {"identifiers.agency": {"$in": agencies}, "identifiers.id": {"$in": ids}},
        session=session,
    ).to_list()
    found: dict[str, Document] = {}  # one document per person; an id's holders in index order
    for doc in [*held, *known]:
        found.setdefault(doc["_id"], doc)
    index = _Index(list(found.values()))
    links = PersonLinks()
    created: dict[str, Document] = {}
    learnt_ids: dict[str, list[Document]] = {}  # identifiers new to a known person
    learnt_nhs: dict[str, str] = {}  # an NHS number a known person had none of
    for position, (child, identifier) in enumerate(wanted):
        person, how = index.find(child.nhs_number, identifier)
        if person is None:
            person = _new_person(child, identifier)
            created[person["_id"]] = person
            links.created.append((position, person))
            index.add(person)
            how = "new"
        elif identifier not in person.setdefault("identifiers", []):
            person["identifiers"].append(identifier)
            index.hold(person, identifier)
            if person["_id"] not in created:
                learnt_ids.setdefault(person["_id"], []).append(identifier)
        if child.nhs_number and not person.get("nhs_number"):
            person["nhs_number"] = child.nhs_number
            index.by_nhs.setdefault(child.nhs_number, person)
            links.nhs_stated_at[person["_id"]] = position
            if person["_id"] not in created:
                learnt_nhs[person["_id"]] = child.nhs_number
        links.person_ids.append(person["_id"])
        links.linked_by.append(how)
    if created:
        await persons.insert_many(list(created.values()), session=session)
    updates = []
    for person_id in {**learnt_ids, **learnt_nhs}:
        update: Document = {}
        if person_id in learnt_ids:
            update["$addToSet"] = {"identifiers": {"$each": learnt_ids[person_id]}}
        if person_id in learnt_nhs:
            update["$set"] = {"nhs_number": learnt_nhs[person_id]}
        updates.append(UpdateOne({"_id": person_id}, update))
    if updates:
        await persons.bulk_write(updates, session=session)
    survivors = await _survivors(db, session, list(found.values()))
    links.person_ids = [survivors.get(p, p) for p in links.person_ids]
    return links


async def _survivors(
    db: AsyncDatabase[Document], session: AsyncClientSession, docs: Sequence[Document]
) -> dict[str, str]:
    """The survivor of each merged person among ``docs`` (as ``survivor_of``, level by level)."""
    chains = {d["_id"]: [d["_id"]] for d in docs if d.get("merged_into")}
    following = {p: d["merged_into"] for d in docs if (p := d["_id"]) in chains}
    while following:
        found = {
            d["_id"]: d
            async for d in db[PERSONS].find(
                {"_id": {"$in": sorted(set(following.values()))}}, session=session
            )
        }
        after: dict[str, str] = {}
        for person_id, target in following.items():
            doc = found.get(target)
            if doc is None or target in chains[person_id]:
                continue  # a broken or circular chain stops where it is
            chains[person_id].append(target)
            if doc.get("merged_into"):
                after[person_id] = doc["merged_into"]
        following = after
    return {p: chain[-1] for p, chain in chains.items()}


async def link_child(
    db: AsyncDatabase[Document],
    session: AsyncClientSession,
    child: ChildAsStated,
    agency: Agency | None,
) -> tuple[str, str]:
    """The hub person id for ``child`` and how it was linked (``nhs-number``,
    ``agency-id`` or ``new``)."""
    links = await link_children(db, session, [(child, agency)])
    return links.person_ids[0], links.linked_by[0]
