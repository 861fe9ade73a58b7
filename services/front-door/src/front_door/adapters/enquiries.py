"""The hub's enquiries (collection ``enquiries``) and answers to none (``unmatched_answers``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from hub_contracts.codes import Agency
from hub_messaging.documents import Document
from hub_service.app import Database

from front_door.adapters.mongo import MongoRepository
from front_door.domain.contacts import EnquiryStatus
from front_door.domain.enquiries import Answer, Enquiry, EnquiryState

ENQUIRIES = "enquiries"
UNMATCHED = "unmatched_answers"
STATE_FIELDS = {
    "agency": 1,
    "status": 1,
    "requested_at": 1,
    "respond_by": 1,
    "answered_at": 1,
    "late": 1,
    "contact_id": 1,
}
"""All a status read takes from an enquiry: never the answer or who gave it."""


def _state(doc: Document) -> EnquiryState:
    return EnquiryState(
        enquiry_id=str(doc["_id"]),
        contact_id=str(doc["contact_id"]),
        agency=Agency(doc["agency"]),
        status=EnquiryStatus(doc["status"]),
        requested_at=doc.get("requested_at"),
        respond_by=doc["respond_by"],
        answered_at=doc.get("answered_at"),
        late=bool(doc.get("late")),
    )


class MongoEnquiries(MongoRepository):
    collection_name = ENQUIRIES

    async def add_many(self, enquiries: Sequence[Enquiry]) -> None:
        await self.collection.insert_many([e.record() for e in enquiries], session=self.session)

    async def get(self, enquiry_id: str) -> Enquiry | None:
        doc = await self.collection.find_one({"_id": enquiry_id}, session=self.session)
        return Enquiry.from_record(doc) if doc is not None else None

    async def record_answer(self, enquiry_id: str, answer: Answer) -> None:
        await self.collection.update_one(
            {"_id": enquiry_id},
            {
                "$set": {
                    "status": EnquiryStatus.ANSWERED.value,
                    "answered_at": answer.answered_at,
                    "late": answer.late,
                    "answer": dict(answer.content),
                    "answered_by_role": answer.answered_by_role,
                    "answer_event_id": answer.event_id,
                    "answer_sharing": dict(answer.sharing),
                }
            },
            session=self.session,
        )

    async def answered_by(self, enquiry_id: str, answer_event_id: str) -> Enquiry | None:
        doc = await self.collection.find_one(
            {"_id": enquiry_id, "answer_event_id": answer_event_id}, session=self.session
        )
        return Enquiry.from_record(doc) if doc is not None else None

    async def of_contact(self, contact_id: str) -> list[Enquiry]:
        found = self.collection.find({"contact_id": contact_id}, session=self.session)
        return [Enquiry.from_record(d) for d in await found.sort("agency").to_list()]

    async def states_of(self, contact_ids: Sequence[str]) -> list[EnquiryState]:
        found = self.collection.find(
            {"contact_id": {"$in": list(contact_ids)}}, STATE_FIELDS, session=self.session
        )
        return [_state(d) for d in await found.to_list(length=None)]

    async def keep_unmatched(
        self, event_id: str, received_at: datetime, answer: Mapping[str, Any]
    ) -> None:
        await self.db[UNMATCHED].insert_one(
            {"_id": event_id, "received_at": received_at, "answer": dict(answer)},
            session=self.session,
        )

    async def redact_answers(self, answer_event_ids: Sequence[str], note: str) -> int:
        result = await self.collection.update_many(
            {"answer_event_id": {"$in": list(answer_event_ids)}},
            {"$set": {"answer": {"kind": "removed", "reason": note}}},
            session=self.session,
        )
        return result.modified_count


async def ensure_enquiry_indexes(db: Database) -> None:
    await db[ENQUIRIES].create_index("contact_id")
