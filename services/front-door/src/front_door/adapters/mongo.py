"""What the front door's MongoDB repositories share: a tenant database and the session of
the unit of work's transaction (None outside one)."""

from __future__ import annotations

from collections.abc import Sequence

from hub_messaging.documents import Document
from hub_service.app import Database
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection


class MongoRepository:
    """A repository over one collection of ``db``, in ``session``'s transaction if any."""

    collection_name: str

    def __init__(self, db: Database, session: AsyncClientSession | None) -> None:
        self.db = db
        self.session = session
        self.collection: AsyncCollection[Document] = db[self.collection_name]


class HeldByPersonRepository(MongoRepository):
    """A collection whose documents carry a ``person_id`` that follows a person's link."""

    async def ids_of_person(self, person_id: str) -> list[str]:
        found = self.collection.find({"person_id": person_id}, {"_id": 1}, session=self.session)
        return [str(d["_id"]) async for d in found]

    async def ids_still_with(self, ids: Sequence[str], person_id: str) -> list[str]:
        found = self.collection.find(
            {"_id": {"$in": list(ids)}, "person_id": person_id}, {"_id": 1}, session=self.session
        )
        return [str(d["_id"]) async for d in found]

    async def move_to(self, ids: Sequence[str], person_id: str) -> None:
        await self.collection.update_many(
            {"_id": {"$in": list(ids)}}, {"$set": {"person_id": person_id}}, session=self.session
        )
