"""Facts: one thing an agency asserted about a child, with its provenance. Pure.

A fact has a ``person_id`` (``None`` while no deterministic link exists) and
``link_keys``: agency-scoped ids (``early-help/ref/EP-1``, ``police/person/P-9``)
an unlinked fact can later be linked through. A removed fact (consent
withdrawn, record purged) is a tombstone: provenance and the reason only.
The joined-up view (``domain.view``) is assembled from facts' records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub_messaging.documents import Document

from front_door.domain.view import FACT_DATA


def person_key(agency: str, agency_person_id: str) -> str:
    """Link key of an agency's own id for a child."""
    return f"{agency}/person/{agency_person_id}"


def ref_key(agency: str, reference: str) -> str:
    """Link key of an agency's record that concerns one child (an episode, a case)."""
    return f"{agency}/ref/{reference}"


@dataclass(frozen=True, slots=True)
class Removal:
    """Why and when a fact's data was removed."""

    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Fact:
    """One assertion about a child: what (kind, summary, detail), when it happened and when it
    was asserted, by which agency, under which sharing basis, from which event."""

    fact_id: str
    person_id: str | None
    agency: str
    kind: str
    summary: str | None
    occurred_at: datetime | None
    asserted_at: datetime
    source_event_id: str
    source_event_type: str
    sharing: Mapping[str, Any]
    detail: Mapping[str, Any]
    """What the agency said beyond the summary (ids, team, household as stated, ...)."""
    link_keys: tuple[str, ...] = ()
    contact_id: str | None = None
    late: bool = False
    """An enquiry answer that came after its deadline."""
    removed: Removal | None = None

    @property
    def links_by_keys(self) -> bool:
        """A linked fact with keys adopts unlinked facts that share one."""
        return bool(self.person_id and self.link_keys)

    def record(self) -> Document:
        doc: Document = {
            "_id": self.fact_id,
            "person_id": self.person_id,
            "agency": self.agency,
            "kind": self.kind,
            "summary": self.summary,
            "occurred_at": self.occurred_at,
            "asserted_at": self.asserted_at,
            "source_event_id": self.source_event_id,
            "source_event_type": self.source_event_type,
            "sharing": dict(self.sharing),
            "detail": dict(self.detail),
            "link_keys": list(self.link_keys),
        }
        if self.contact_id:
            doc["contact_id"] = self.contact_id
        if self.late:
            doc["late"] = True
        if self.removed is not None:
            for key in FACT_DATA:
                doc.pop(key, None)
            doc["removed"] = {"reason": self.removed.reason, "at": self.removed.at}
        return doc

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> Fact:
        removed = doc.get("removed")
        return cls(
            fact_id=str(doc["_id"]),
            person_id=doc.get("person_id"),
            agency=doc["agency"],
            kind=doc["kind"],
            summary=doc.get("summary"),
            occurred_at=doc.get("occurred_at"),
            asserted_at=doc["asserted_at"],
            source_event_id=doc.get("source_event_id", ""),
            source_event_type=doc.get("source_event_type", ""),
            sharing=dict(doc.get("sharing") or {}),
            detail=dict(doc.get("detail") or {}),
            link_keys=tuple(doc.get("link_keys") or ()),
            contact_id=doc.get("contact_id"),
            late=bool(doc.get("late")),
            removed=Removal(removed["reason"], removed["at"]) if removed else None,
        )


def records(facts: Sequence[Fact]) -> list[Document]:
    """The facts as the view's assembly reads them."""
    return [f.record() for f in facts]
