"""Candidate matches of hub persons (collection ``person_candidates``, one per pair)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub_service.app import Database
from pymongo import UpdateOne

from front_door.adapters.mongo import MongoRepository
from front_door.adapters.persons import PERSONS
from front_door.domain.candidates import Candidate, CandidateStatus

CANDIDATES = "person_candidates"


async def ensure_candidate_indexes(db: Database) -> None:
    await db[CANDIDATES].create_index("pair", unique=True)
    await db[CANDIDATES].create_index([("status", 1), ("score", -1), ("_id", 1)])
    await db[PERSONS].create_index("merged_into", sparse=True)


class MongoCandidates(MongoRepository):
    collection_name = CANDIDATES

    async def suggest(self, candidates: Sequence[Candidate]) -> list[str]:
        """One bulk write of upserts by pair: a pair already known is left as it is."""
        if not candidates:
            return []
        upserts = []
        for candidate in candidates:
            doc = candidate.record()
            pair = doc.pop("pair")
            upserts.append(UpdateOne({"pair": pair}, {"$setOnInsert": doc}, upsert=True))
        outcome = await self.collection.bulk_write(upserts, session=self.session)
        return [candidates[i].candidate_id for i in sorted(outcome.upserted_ids or {})]

    async def get(self, candidate_id: str) -> Candidate | None:
        doc = await self.collection.find_one({"_id": candidate_id}, session=self.session)
        return Candidate.from_record(doc) if doc is not None else None

    async def decide(
        self,
        candidate_id: str,
        status: CandidateStatus,
        decided_by: str,
        decided_at: datetime,
        reason: str,
    ) -> bool:
        result = await self.collection.update_one(
            {"_id": candidate_id, "status": CandidateStatus.OPEN.value},
            {
                "$set": {
                    "status": status.value,
                    "decided_by": decided_by,
                    "decided_at": decided_at,
                    "reason": reason,
                }
            },
            session=self.session,
        )
        return result.modified_count == 1

    async def reject_unlinked(
        self, candidate_id: str, unlinked_by: str, unlinked_at: datetime, reason: str
    ) -> None:
        await self.collection.update_one(
            {"_id": candidate_id},
            {
                "$set": {
                    "status": CandidateStatus.REJECTED.value,
                    "unlinked_at": unlinked_at,
                    "unlinked_by": unlinked_by,
                    "unlink_reason": reason,
                }
            },
            session=self.session,
        )

    async def page(
        self, status: CandidateStatus, limit: int, offset: int
    ) -> tuple[list[Candidate], int]:
        query = {"status": status.value}
        docs = (
            await self.collection.find(query, session=self.session)
            .sort([("score", -1), ("_id", 1)])
            .skip(offset)
            .limit(limit)
            .to_list()
        )
        total = await self.collection.count_documents(query, session=self.session)
        return [Candidate.from_record(d) for d in docs], total

    async def involving(self, person_id: str) -> list[Candidate]:
        found = self.collection.find(
            {"$or": [{"new_person_id": person_id}, {"existing_person_id": person_id}]},
            session=self.session,
        )
        return [Candidate.from_record(d) async for d in found]
