"""Candidate matches of hub persons and the identity decisions made on them. Pure.

A candidate is a pair of persons that may be one child (suggested, never merged
on its own). Hub staff confirm it (a link), reject it, or later unlink a
confirmed pair; each decision is kept as an ``IdentityChange``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from hub_contracts.events import PersonLinkChanged
from hub_messaging.documents import Document

from front_door.domain.persons import Repointed


class CandidateStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def pair_key(a: str, b: str) -> str:
    """One key per unordered pair of persons: a pair is suggested at most once."""
    return "|".join(sorted((a, b)))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A potential duplicate: a new person, an existing one, the score and its evidence."""

    candidate_id: str
    new_person_id: str
    existing_person_id: str
    score: float
    evidence: Mapping[str, str]
    """How each field compared (``given_name=nickname``, ...), never the values."""
    status: CandidateStatus
    suggested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    unlinked_by: str | None = None
    unlinked_at: datetime | None = None
    unlink_reason: str | None = None

    @property
    def pair(self) -> str:
        return pair_key(self.new_person_id, self.existing_person_id)

    def record(self) -> Document:
        doc: Document = {
            "_id": self.candidate_id,
            "pair": self.pair,
            "new_person_id": self.new_person_id,
            "existing_person_id": self.existing_person_id,
            "score": self.score,
            "evidence": dict(self.evidence),
            "status": self.status.value,
            "suggested_at": self.suggested_at,
        }
        if self.decided_at is not None:
            doc["decided_by"] = self.decided_by
            doc["decided_at"] = self.decided_at
            doc["reason"] = self.reason
        if self.unlinked_at is not None:
            doc["unlinked_at"] = self.unlinked_at
            doc["unlinked_by"] = self.unlinked_by
            doc["unlink_reason"] = self.unlink_reason
        return doc

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> Candidate:
        return cls(
            candidate_id=str(doc["_id"]),
            new_person_id=doc["new_person_id"],
            existing_person_id=doc["existing_person_id"],
            score=doc["score"],
            evidence=dict(doc.get("evidence") or {}),
            status=CandidateStatus(doc["status"]),
            suggested_at=doc["suggested_at"],
            decided_by=doc.get("decided_by"),
            decided_at=doc.get("decided_at"),
            reason=doc.get("reason"),
            unlinked_by=doc.get("unlinked_by"),
            unlinked_at=doc.get("unlinked_at"),
            unlink_reason=doc.get("unlink_reason"),
        )


@dataclass(frozen=True, slots=True)
class IdentityChange:
    """The audit of one identity decision: the published change, the decider's roles,
    what it moved, and the change it reverses (an unlink)."""

    change: PersonLinkChanged
    decided_by_roles: tuple[str, ...]
    repointed: Repointed | None = None
    reverses: str | None = None

    def record(self) -> Document:
        return {
            "_id": self.change.change_id,
            **self.change.model_dump(mode="python", exclude={"change_id"}),
            "decided_by_roles": list(self.decided_by_roles),
            "repointed": self.repointed.record() if self.repointed else {},
            "reverses": self.reverses,
        }
