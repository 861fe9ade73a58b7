"""Contacts (collection ``contacts``) and the decisions made on them (``decisions``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hub_contracts.codes import Agency, RagRating
from hub_messaging.documents import Document
from hub_service.app import Database
from pymongo import ASCENDING

from front_door.adapters.mongo import HeldByPersonRepository
from front_door.domain.contacts import (
    Contact,
    ContactClock,
    ContactStatus,
    Deadline,
    Decision,
    Rating,
    Redaction,
)

CONTACTS = "contacts"
DECISIONS = "decisions"
OPEN: Document = {"status": {"$ne": ContactStatus.DECIDED.value}}
CLOCK_FIELDS = {
    "status": 1,
    "rag_rating": 1,
    "rag_rating_as_received": 1,
    "received_at": 1,
    "screen_by": 1,
    "decide_by": 1,
    "origin_agency": 1,
    "person_id": 1,
    "decision.decided_at": 1,
    "decision.decided_in_time": 1,
}
"""All a clock read takes from a contact: no child, concern, household or decision reason."""


def _clock(doc: Document) -> ContactClock:
    rating = doc.get("rag_rating") or doc.get("rag_rating_as_received")
    decision = doc.get("decision") or {}
    return ContactClock(
        contact_id=str(doc["_id"]),
        status=ContactStatus(doc["status"]),
        rag_rating=RagRating(rating) if rating else None,
        received_at=doc["received_at"],
        origin_agency=Agency(doc["origin_agency"]),
        person_id=doc.get("person_id"),
        screen_by=doc.get("screen_by"),
        decide_by=doc["decide_by"],
        decided_at=decision.get("decided_at"),
        decided_in_time=decision.get("decided_in_time"),
    )


def _past(deadline: Deadline, now: datetime) -> Document:
    return {
        "status": {"$ne": ContactStatus.DECIDED.value},
        deadline.field: {"$lt": now},
        f"breached.{deadline.value}": {"$exists": False},
    }


class MongoContacts(HeldByPersonRepository):
    collection_name = CONTACTS

    async def add_many(self, contacts: Sequence[Contact]) -> None:
        await self.collection.insert_many([c.record() for c in contacts], session=self.session)

    async def get(self, contact_id: str) -> Contact | None:
        return await self._one({"_id": contact_id})

    async def made_by(self, origin_event_id: str) -> Contact | None:
        return await self._one({"origin_event_id": origin_event_id})

    async def of_person(self, person_id: str) -> list[Contact]:
        found = self.collection.find({"person_id": person_id}, session=self.session)
        return [Contact.from_record(d) async for d in found]

    async def queue(self, status: ContactStatus | None, limit: int) -> list[Contact]:
        query = {"status": status.value} if status else OPEN
        docs = await self.collection.find(query, session=self.session).to_list(length=limit)
        return [Contact.from_record(d) for d in docs]

    async def rate(self, contact_id: str, rating: Rating, screen_by: datetime) -> None:
        await self.collection.update_one(
            {"_id": contact_id},
            {
                "$set": {
                    "status": ContactStatus.ENQUIRIES_OPEN.value,
                    "rag_rating": rating.rag_rating.value,
                    "rationale": rating.rationale,
                    "rated_by": rating.rated_by,
                    "rated_at": rating.rated_at,
                    "screen_by": screen_by,
                }
            },
            session=self.session,
        )

    async def decide(self, decision: Decision) -> None:
        await self.db[DECISIONS].insert_one(decision.record(), session=self.session)
        await self.collection.update_one(
            {"_id": decision.contact_id},
            {"$set": {"status": ContactStatus.DECIDED.value, "decision": decision.record()}},
            session=self.session,
        )

    async def past_deadline(self, deadline: Deadline, now: datetime) -> list[str]:
        found = self.collection.find(_past(deadline, now), {"_id": 1}, session=self.session)
        return [str(d["_id"]) async for d in found]

    async def flag_breach(
        self, contact_id: str, deadline: Deadline, now: datetime
    ) -> Contact | None:
        doc: Document | None = await self.collection.find_one_and_update(
            {"_id": contact_id, **_past(deadline, now)},
            {"$set": {f"breached.{deadline.value}": now}},
            session=self.session,
        )
        return Contact.from_record(doc) if doc is not None else None

    async def person_of_referral(self, referral_id: str) -> str | None:
        decision = await self.db[DECISIONS].find_one(
            {"referral_ids": referral_id}, {"_id": 1}, session=self.session
        )
        contact = decision and await self.collection.find_one(
            {"_id": decision["_id"]}, {"person_id": 1}, session=self.session
        )
        return str(contact["person_id"]) if contact else None

    async def redact(self, origin_event_ids: Sequence[str], redaction: Redaction) -> int:
        result = await self.collection.update_many(
            {"origin_event_id": {"$in": list(origin_event_ids)}},
            {
                "$set": {
                    "concern_summary": redaction.note,
                    "household": [],
                    "redacted": {"reason": redaction.reason, "at": redaction.at},
                }
            },
            session=self.session,
        )
        return result.modified_count

    async def clocks(self, limit: int) -> list[ContactClock]:
        found = self.collection.find(OPEN, CLOCK_FIELDS, session=self.session)
        return [_clock(d) for d in await found.to_list(length=limit)]

    async def clock(self, contact_id: str) -> ContactClock | None:
        doc = await self.collection.find_one(
            {"_id": contact_id}, CLOCK_FIELDS, session=self.session
        )
        return _clock(doc) if doc is not None else None

    async def _one(self, query: dict[str, Any]) -> Contact | None:
        doc = await self.collection.find_one(query, session=self.session)
        return Contact.from_record(doc) if doc is not None else None


async def ensure_contact_indexes(db: Database) -> None:
    """The queue reads by status and deadline; intake and purges by the origin event; the
    view by person."""
    await db[CONTACTS].create_index([("status", ASCENDING), ("screen_by", ASCENDING)])
    await db[CONTACTS].create_index("origin_event_id")
    await db[CONTACTS].create_index("person_id")
