"""The hub's person index for one tenant (collection ``persons``).

One document per hub person (``Person.record``), indexed by NHS number, by
agency identifier and by ``match_keys`` (the blocking keys candidate matching
reads). Linking is the service layer's (``service_layer.linking``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub_messaging.documents import Document
from hub_service.app import Database
from pymongo import UpdateOne

from front_door.adapters.mongo import MongoRepository
from front_door.domain.identity import PersonDetails, blocking_keys
from front_door.domain.persons import Identifier, Learnt, PastLink, Person, PersonLink

PERSONS = "persons"


async def ensure_person_indexes(db: Database) -> None:
    await db[PERSONS].create_index("nhs_number", unique=True, sparse=True)
    await db[PERSONS].create_index([("identifiers.agency", 1), ("identifiers.id", 1)])
    await db[PERSONS].create_index("match_keys")
    async for doc in db[PERSONS].find({"match_keys": {"$exists": False}}):  # made before keys
        keys = blocking_keys(PersonDetails.from_document(doc))
        await db[PERSONS].update_one({"_id": doc["_id"]}, {"$set": {"match_keys": keys}})


class MongoPersons(MongoRepository):
    collection_name = PERSONS

    async def get(self, person_id: str) -> Person | None:
        doc = await self.collection.find_one({"_id": person_id}, session=self.session)
        return Person.from_record(doc) if doc is not None else None

    async def get_many(self, person_ids: Sequence[str]) -> list[Person]:
        return await self._find({"_id": {"$in": list(person_ids)}})

    async def exists(self, person_id: str) -> bool:
        return await self._id_of({"_id": person_id}) is not None

    async def with_nhs_numbers(self, numbers: Sequence[str]) -> list[Person]:
        return await self._find({"nhs_number": {"$in": list(numbers)}})

    async def holding(self, agencies: Sequence[str], ids: Sequence[str]) -> list[Person]:
        return await self._find(
            {"identifiers.agency": {"$in": list(agencies)}, "identifiers.id": {"$in": list(ids)}}
        )

    async def id_with_nhs_number(self, nhs_number: str) -> str | None:
        return await self._id_of({"nhs_number": nhs_number})

    async def id_holding(self, identifier: Identifier) -> str | None:
        return await self._id_of({"identifiers": {"$elemMatch": identifier.record()}})

    async def add_many(self, persons: Sequence[Person]) -> None:
        await self.collection.insert_many([p.record() for p in persons], session=self.session)

    async def learn(self, learnt: Sequence[Learnt]) -> None:
        updates = []
        for person in learnt:
            update: Document = {}
            if person.identifiers:
                each = [i.record() for i in person.identifiers]
                update["$addToSet"] = {"identifiers": {"$each": each}}
            if person.nhs_number:
                update["$set"] = {"nhs_number": person.nhs_number}
            updates.append(UpdateOne({"_id": person.person_id}, update))
        if updates:
            await self.collection.bulk_write(updates, session=self.session)

    async def in_blocks(self, keys: Sequence[str], after: str | None, limit: int) -> list[Person]:
        query: Document = {"match_keys": {"$in": list(keys)}, "merged_into": None}
        if after is not None:
            query["_id"] = {"$gt": after}
        found = self.collection.find(query, session=self.session).sort("_id", 1).limit(limit)
        return [Person.from_record(d) for d in await found.to_list()]

    async def merged_into(self, person_id: str) -> list[Person]:
        return await self._find({"merged_into": person_id})

    async def link(self, person_id: str, survivor_id: str, link: PersonLink) -> None:
        await self.collection.update_one(
            {"_id": person_id},
            {"$set": {"merged_into": survivor_id, "link": link.record()}},
            session=self.session,
        )

    async def unlink(self, person_id: str, past: PastLink) -> None:
        await self.collection.update_one(
            {"_id": person_id},
            {"$unset": {"merged_into": "", "link": ""}, "$push": {"past_links": past.record()}},
            session=self.session,
        )

    async def _find(self, query: dict[str, Any]) -> list[Person]:
        found = self.collection.find(query, session=self.session)
        return [Person.from_record(d) async for d in found]

    async def _id_of(self, query: dict[str, Any]) -> str | None:
        found = await self.collection.find_one(query, {"_id": 1}, session=self.session)
        return str(found["_id"]) if found else None
