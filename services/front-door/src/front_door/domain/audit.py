"""Who looked at a child's record, when and why: one record per look. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from hub_messaging.documents import Document


class RecordSeen(StrEnum):
    """What was looked at."""

    CONTACT = "contact"
    ENQUIRY_STATUS = "enquiry-status"
    PERSON = "person"
    JOINED_UP_VIEW = "joined-up-view"
    UNLINKED_FACTS = "unlinked-facts"


@dataclass(frozen=True, slots=True)
class RecordView:
    """One look at a child's record (or at the facts linked to nobody yet)."""

    user_id: str
    roles: tuple[str, ...]
    what: str | None
    """A ``RecordSeen`` value (records older than the one shape may hold none)."""
    person_id: str | None
    contact_id: str | None
    purpose: str | None
    """Why they looked (``X-Hub-Purpose``), if they said."""
    viewed_at: datetime
    count: int | None = None
    """How many records a list showed (unlinked facts); None for one record."""

    def record(self) -> Document:
        return {
            "user_id": self.user_id,
            "roles": list(self.roles),
            "what": self.what,
            "person_id": self.person_id,
            "contact_id": self.contact_id,
            "purpose": self.purpose,
            "viewed_at": self.viewed_at,
            "count": self.count,
        }

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> RecordView:
        return cls(
            user_id=doc["user_id"],
            roles=tuple(doc.get("roles") or ()),
            what=doc.get("what"),
            person_id=doc.get("person_id"),
            contact_id=doc.get("contact_id"),
            purpose=doc.get("purpose"),
            viewed_at=doc["viewed_at"],
            count=doc.get("count"),
        )
