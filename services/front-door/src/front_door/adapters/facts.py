"""The timeline's store: one document per thing an agency asserted (collection ``facts``).

Each document is a ``Fact.record``: a ``person_id`` (or ``None`` while no
deterministic link exists) and ``link_keys`` an unlinked fact can later be
linked through (``service_layer.facts.add_facts`` adopts them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub_contracts.sharing import LawfulBasis
from hub_messaging.documents import Document
from hub_service.app import Database
from pymongo import DESCENDING

from front_door.adapters.mongo import HeldByPersonRepository
from front_door.domain.facts import Fact
from front_door.domain.view import FACT_DATA, FactKind

FACTS = "facts"


async def ensure_fact_indexes(db: Database) -> None:
    await db[FACTS].create_index("person_id")
    await db[FACTS].create_index("link_keys")
    await db[FACTS].create_index("source_event_id")
    await db[FACTS].create_index("sharing.consent_ref", sparse=True)


class MongoFacts(HeldByPersonRepository):
    collection_name = FACTS

    async def add_many(self, facts: Sequence[Fact]) -> None:
        await self.collection.insert_many([f.record() for f in facts], session=self.session)

    async def unlinked_sharing(self, keys: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
        found = self.collection.find(
            {"person_id": None, "link_keys": {"$in": list(keys)}},
            {"link_keys": 1},
            session=self.session,
        )
        return [(d["_id"], tuple(d.get("link_keys") or ())) async for d in found]

    async def adopt(self, fact_ids: Sequence[str], person_id: str) -> None:
        await self.collection.update_many(
            {"_id": {"$in": list(fact_ids)}, "person_id": None},
            {"$set": {"person_id": person_id}},
            session=self.session,
        )

    async def linked_person(self, keys: Sequence[str]) -> str | None:
        fact = await self.collection.find_one(
            {"link_keys": {"$in": list(keys)}, "person_id": {"$ne": None}},
            {"person_id": 1},
            session=self.session,
        )
        return str(fact["person_id"]) if fact else None

    async def of_person(self, person_id: str) -> list[Fact]:
        found = self.collection.find({"person_id": person_id}, session=self.session)
        return [Fact.from_record(d) for d in await found.to_list()]

    async def unlinked(self, limit: int) -> list[Fact]:
        found = self.collection.find({"person_id": None}, session=self.session)
        docs = await found.sort("asserted_at", DESCENDING).limit(limit).to_list()
        return [Fact.from_record(d) for d in docs]

    async def remove(
        self, event_ids: Sequence[str], consent_ref: str | None, reason: str, at: datetime
    ) -> int:
        clauses: list[Document] = []
        if event_ids:
            clauses.append({"source_event_id": {"$in": list(event_ids)}})
        if consent_ref:
            clauses.append(
                {
                    "sharing.lawful_basis": LawfulBasis.CONSENT.value,
                    "sharing.consent_ref": consent_ref,
                }
            )
        if not clauses:
            return 0
        result = await self.collection.update_many(
            {"$or": clauses, "removed": {"$exists": False}},
            {
                "$set": {"kind": FactKind.REMOVED, "removed": {"reason": reason, "at": at}},
                "$unset": dict.fromkeys(FACT_DATA, ""),
            },
            session=self.session,
        )
        return result.modified_count

    async def mark_consent_withdrawn(self, consent_id: str, withdrawn_at: datetime) -> None:
        await self.collection.update_many(
            {"kind": FactKind.CONSENT, "detail.consent_id": consent_id},
            {"$set": {"detail.withdrawn_at": withdrawn_at}},
            session=self.session,
        )
