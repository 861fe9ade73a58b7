"""The front door's smaller records: the tenant's screening windows (``tenant_settings``),
the identity audit (``identity_audit``), sharing decisions (``sharing_decisions``), the
record-view audit (``record_views``) and the bus's consents (``consents``, read only)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hub_messaging.consent import CONSENTS
from hub_service.app import Database
from hub_service.problems import ProblemError
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from front_door.adapters.mongo import MongoRepository
from front_door.domain.audit import RecordView
from front_door.domain.candidates import IdentityChange
from front_door.domain.contacts import ScreeningWindows

SETTINGS = "tenant_settings"
IDENTITY_AUDIT = "identity_audit"
SHARING_DECISIONS = "sharing_decisions"
RECORD_VIEWS = "record_views"


async def ensure_record_indexes(db: Database) -> None:
    """Views and sharing decisions are read per child, newest first (creating an index
    creates its collection too)."""
    await db[RECORD_VIEWS].create_index([("person_id", ASCENDING), ("viewed_at", DESCENDING)])
    await db[SHARING_DECISIONS].create_index([("person_id", 1), ("decided_at", -1)])


class MongoTenantSettings(MongoRepository):
    collection_name = SETTINGS

    async def screening_windows(self) -> ScreeningWindows:
        doc = await self.collection.find_one({"_id": "screening"}, session=self.session)
        return ScreeningWindows.from_settings(doc)


class MongoIdentityChanges(MongoRepository):
    collection_name = IDENTITY_AUDIT

    async def add(self, change: IdentityChange) -> None:
        try:
            await self.collection.insert_one(change.record(), session=self.session)
        except DuplicateKeyError as exc:  # pragma: no cover - ids are random
            raise ProblemError(409, "identity-change-conflict", "retry the decision") from exc


class MongoSharingDecisions(MongoRepository):
    collection_name = SHARING_DECISIONS

    async def add(self, decision: Mapping[str, Any]) -> None:
        await self.collection.insert_one(dict(decision), session=self.session)


class MongoRecordViews(MongoRepository):
    collection_name = RECORD_VIEWS

    async def add(self, view: RecordView) -> None:
        await self.collection.insert_one(view.record(), session=self.session)

    async def of_person(self, person_id: str, limit: int) -> list[RecordView]:
        found = self.collection.find({"person_id": person_id}, {"_id": 0}, session=self.session)
        docs = await found.sort([("viewed_at", DESCENDING)]).limit(limit).to_list()
        return [RecordView.from_record(d) for d in docs]


class MongoConsents(MongoRepository):
    collection_name = CONSENTS

    async def withdrawn_at(self, consent_id: str) -> datetime | None:
        consent = await self.collection.find_one({"_id": consent_id}, session=self.session)
        withdrawn: datetime | None = (consent or {}).get("withdrawn_at")
        return withdrawn
