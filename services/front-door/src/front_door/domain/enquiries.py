"""The hub's enquiries to each agency about a contact, and the agencies' answers. Pure.

Every partner agency is asked on rating (``contacts.ENQUIRED_AGENCIES``), each
answer due by the screening deadline. Answers land whenever they come: a late
one is kept and marked ``late``; an unanswered one past its deadline is overdue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub_contracts.codes import Agency
from hub_messaging.documents import Document

from front_door.domain.contacts import EnquiryStatus


@dataclass(frozen=True, slots=True)
class Answer:
    """An agency's answer to an enquiry, as the front door may see it."""

    answered_at: datetime
    """When the hub received it."""
    late: bool
    content: Mapping[str, Any]
    """What the agency said: facts held, nothing held, or not shared (and why)."""
    answered_by_role: str | None
    event_id: str
    sharing: Mapping[str, Any]
    """The basis the answer came under."""


@dataclass(frozen=True, slots=True)
class Enquiry:
    """What the hub asked one agency about a contact, and its answer once given."""

    enquiry_id: str
    contact_id: str
    agency: Agency
    requested_at: datetime
    respond_by: datetime
    status: EnquiryStatus
    answer: Answer | None = None

    def is_overdue(self, now: datetime) -> bool:
        return self.status is EnquiryStatus.AWAITING_ANSWER and now > self.respond_by

    def record(self) -> Document:
        doc: Document = {
            "_id": self.enquiry_id,
            "contact_id": self.contact_id,
            "agency": self.agency.value,
            "requested_at": self.requested_at,
            "respond_by": self.respond_by,
            "status": self.status.value,
        }
        if self.answer is not None:
            doc |= {
                "answered_at": self.answer.answered_at,
                "late": self.answer.late,
                "answer": dict(self.answer.content),
                "answered_by_role": self.answer.answered_by_role,
                "answer_event_id": self.answer.event_id,
                "answer_sharing": dict(self.answer.sharing),
            }
        return doc

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> Enquiry:
        answered = doc.get("answered_at") is not None
        return cls(
            enquiry_id=str(doc["_id"]),
            contact_id=doc["contact_id"],
            agency=Agency(doc["agency"]),
            requested_at=doc["requested_at"],
            respond_by=doc["respond_by"],
            status=EnquiryStatus(doc["status"]),
            answer=Answer(
                answered_at=doc["answered_at"],
                late=bool(doc.get("late")),
                content=dict(doc.get("answer") or {}),
                answered_by_role=doc.get("answered_by_role"),
                event_id=doc.get("answer_event_id", ""),
                sharing=dict(doc.get("answer_sharing") or {}),
            )
            if answered
            else None,
        )


@dataclass(frozen=True, slots=True)
class EnquiryState:
    """Where an enquiry stands, without its answer or who gave it: what a liaison may read."""

    enquiry_id: str
    contact_id: str
    agency: Agency
    status: EnquiryStatus
    requested_at: datetime | None
    respond_by: datetime
    answered_at: datetime | None
    late: bool

    def is_overdue(self, now: datetime) -> bool:
        return self.status is EnquiryStatus.AWAITING_ANSWER and now > self.respond_by
