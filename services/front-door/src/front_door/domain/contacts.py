"""Contacts and their clocks: pure rules, no I/O.

A contact is one concern about one child reaching the hub. Its screening
clock runs from receipt by its RAG rating (red 4 h, amber 24 h, green 72 h by
default; a tenant may set shorter windows), and a decision is due within one
working day of receipt (Working Together 2023; weekends and England bank
holidays excluded).

``Contact`` is the contact as the hub holds it (with its rating, decision,
breaches and any redaction); ``record()`` / ``from_record()`` are its stored
form, which is also what the contact routes show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from hub_contracts.codes import (
    SCREENING_HOURS,
    Agency,
    ContactOutcome,
    PrimaryNeed,
    RagRating,
    ReferralSource,
)
from hub_contracts.events.common import ChildAsStated, HouseholdMember
from hub_contracts.sharing import SharingBasis
from hub_messaging.documents import Document
from hub_service.clock import add_working_days
from pydantic import BaseModel, ConfigDict, Field, model_validator

from front_door.domain.persons import LinkedBy
from front_door.domain.view import removal_note

ENQUIRED_AGENCIES: tuple[Agency, ...] = (
    Agency.POLICE,
    Agency.HEALTH,
    Agency.EDUCATION,
    Agency.EARLY_HELP,
    Agency.SOCIAL_CARE,
)
"""Every partner agency is asked what it holds (the originator may hold more)."""


class ContactStatus(StrEnum):
    AWAITING_SCREENING = "awaiting-screening"
    ENQUIRIES_OPEN = "enquiries-open"
    DECIDED = "decided"


class EnquiryStatus(StrEnum):
    AWAITING_ANSWER = "awaiting-answer"
    ANSWERED = "answered"


class ScreeningWindows(BaseModel):
    """A tenant's screening windows in hours, never longer than the statutory defaults."""

    model_config = ConfigDict(frozen=True)

    red: int = Field(default=SCREENING_HOURS[RagRating.RED], ge=1)
    amber: int = Field(default=SCREENING_HOURS[RagRating.AMBER], ge=1)
    green: int = Field(default=SCREENING_HOURS[RagRating.GREEN], ge=1)
    decision_working_days: int = Field(default=1, ge=1, le=1)

    @model_validator(mode="after")
    def _within_defaults(self) -> ScreeningWindows:
        for rating in RagRating:
            if self.hours(rating) > SCREENING_HOURS[rating]:
                raise ValueError(f"{rating.value} window exceeds {SCREENING_HOURS[rating]} hours")
        return self

    def hours(self, rating: RagRating) -> int:
        hours: int = getattr(self, rating.value)
        return hours

    @classmethod
    def from_settings(cls, doc: dict[str, Any] | None) -> ScreeningWindows:
        """From the tenant's ``tenant_settings`` ``screening`` document (defaults if absent)."""
        if not doc:
            return cls()
        hours = doc.get("rag_window_hours", {})
        return cls(**hours, decision_working_days=doc.get("decision_working_days", 1))


def screen_by(received_at: datetime, rating: RagRating, windows: ScreeningWindows) -> datetime:
    """When screening of a contact rated ``rating`` is due."""
    return received_at + timedelta(hours=windows.hours(rating))


def decide_by(received_at: datetime, windows: ScreeningWindows) -> datetime:
    """When the decision on a contact received at ``received_at`` is due (working days)."""
    return add_working_days(received_at, windows.decision_working_days)


def time_left(deadline: datetime, now: datetime) -> timedelta:
    """Negative once the deadline has passed."""
    return deadline - now


class Deadline(StrEnum):
    """The hub's two clocks on a contact, each breached at most once."""

    SCREENING_WINDOW = "screening-window"
    DECISION = "decision"

    @property
    def field(self) -> str:
        """The contact's field holding this deadline."""
        return "screen_by" if self is Deadline.SCREENING_WINDOW else "decide_by"


@dataclass(frozen=True, slots=True)
class Rating:
    """A practitioner's urgency rating of a contact (it starts the screening window)."""

    rag_rating: RagRating
    rationale: str
    rated_by: str
    rated_at: datetime


@dataclass(frozen=True, slots=True)
class Decision:
    """A hub manager's decision on a contact: what, why, who, when, in time, where it went."""

    contact_id: str
    outcome: ContactOutcome
    reason: str
    primary_need: PrimaryNeed | None
    decided_by: str
    decided_at: datetime
    decided_in_time: bool
    routed: tuple[str, ...]
    """The events it was routed as (e.g. ``referral-to-social-care``)."""
    referral_ids: tuple[str, ...]
    """What early help or social care quote back (e.g. an episode's ``referral_id``)."""
    event_ids: tuple[str, ...]

    def record(self) -> Document:
        return {
            "_id": self.contact_id,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "primary_need": self.primary_need.value if self.primary_need else None,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "decided_in_time": self.decided_in_time,
            "routed": list(self.routed),
            "referral_ids": list(self.referral_ids),
            "event_ids": list(self.event_ids),
        }

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> Decision:
        need = doc.get("primary_need")
        return cls(
            contact_id=str(doc["_id"]),
            outcome=ContactOutcome(doc["outcome"]),
            reason=doc["reason"],
            primary_need=PrimaryNeed(need) if need else None,
            decided_by=doc["decided_by"],
            decided_at=doc["decided_at"],
            decided_in_time=bool(doc["decided_in_time"]),
            routed=tuple(doc.get("routed") or ()),
            referral_ids=tuple(doc.get("referral_ids") or ()),
            event_ids=tuple(doc.get("event_ids") or ()),
        )


@dataclass(frozen=True, slots=True)
class Redaction:
    """Why and when a contact lost its copy of the concern and household (consent, purge)."""

    reason: str
    at: datetime

    @property
    def note(self) -> str:
        """What the contact says instead of the concern."""
        return removal_note(self.reason)


@dataclass(frozen=True, slots=True)
class Contact:
    """One concern about one child at the hub, with its clocks, rating and decision."""

    contact_id: str
    status: ContactStatus
    received_at: datetime
    person_id: str
    linked_by: LinkedBy
    referral_source: ReferralSource
    origin_agency: Agency
    origin_reference: str
    origin_event_id: str
    origin_sharing: SharingBasis
    """The basis the concern came under."""
    rag_rating_as_received: RagRating | None
    concern_summary: str
    occurred_at: datetime
    child: ChildAsStated
    household: tuple[HouseholdMember, ...]
    screen_by: datetime | None
    """The screening deadline: from the rating as received, then from the hub's rating."""
    decide_by: datetime
    trace_context: Mapping[str, str]
    """The journey's trace (W3C): rating and deciding continue it (ADR 0008)."""
    rating: Rating | None = None
    decision: Decision | None = None
    breaches: Mapping[str, datetime] = field(default_factory=dict)
    """When each clock (``Deadline`` value) was found breached."""
    redaction: Redaction | None = None

    @property
    def rag_rating(self) -> RagRating | None:
        """The hub's own rating, once rated."""
        return self.rating.rag_rating if self.rating else None

    @property
    def current_rating(self) -> RagRating | None:
        """The hub's rating, else the rating as received."""
        return self.rag_rating or self.rag_rating_as_received

    @property
    def deadline(self) -> datetime:
        """The next deadline: the screening window if there is one, else the decision."""
        return self.screen_by or self.decide_by

    def record(self) -> Document:
        doc: Document = {
            "_id": self.contact_id,
            "status": self.status.value,
            "received_at": self.received_at,
            "person_id": self.person_id,
            "linked_by": self.linked_by.value,
            "referral_source": self.referral_source.value,
            "origin_agency": self.origin_agency.value,
            "origin_reference": self.origin_reference,
            "origin_event_id": self.origin_event_id,
            "origin_sharing": self.origin_sharing.model_dump(mode="json", exclude_none=True),
            "rag_rating_as_received": (
                self.rag_rating_as_received.value if self.rag_rating_as_received else None
            ),
            "rag_rating": self.rating.rag_rating.value if self.rating else None,
            "concern_summary": self.concern_summary,
            "occurred_at": self.occurred_at,
            "child": self.child.model_dump(mode="json"),
            "household": [m.model_dump(mode="json") for m in self.household],
            "screen_by": self.screen_by,
            "decide_by": self.decide_by,
            "trace_context": dict(self.trace_context),
        }
        if self.rating is not None:
            doc["rationale"] = self.rating.rationale
            doc["rated_by"] = self.rating.rated_by
            doc["rated_at"] = self.rating.rated_at
        if self.breaches:
            doc["breached"] = dict(self.breaches)
        if self.decision is not None:
            doc["decision"] = self.decision.record()
        if self.redaction is not None:
            doc["redacted"] = {"reason": self.redaction.reason, "at": self.redaction.at}
        return doc

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> Contact:
        as_received = doc.get("rag_rating_as_received")
        rated = doc.get("rated_at") is not None and doc.get("rag_rating") is not None
        decision = doc.get("decision")
        redacted = doc.get("redacted")
        return cls(
            contact_id=str(doc["_id"]),
            status=ContactStatus(doc["status"]),
            received_at=doc["received_at"],
            person_id=doc["person_id"],
            linked_by=LinkedBy(doc["linked_by"]),
            referral_source=ReferralSource(doc["referral_source"]),
            origin_agency=Agency(doc["origin_agency"]),
            origin_reference=doc["origin_reference"],
            origin_event_id=doc["origin_event_id"],
            origin_sharing=SharingBasis.model_validate(doc["origin_sharing"]),
            rag_rating_as_received=RagRating(as_received) if as_received else None,
            concern_summary=doc["concern_summary"],
            occurred_at=doc["occurred_at"],
            child=ChildAsStated.model_validate(doc["child"]),
            household=tuple(HouseholdMember.model_validate(m) for m in doc.get("household", ())),
            screen_by=doc.get("screen_by"),
            decide_by=doc["decide_by"],
            trace_context={str(k): str(v) for k, v in (doc.get("trace_context") or {}).items()},
            rating=Rating(
                rag_rating=RagRating(doc["rag_rating"]),
                rationale=doc.get("rationale", ""),
                rated_by=doc.get("rated_by", ""),
                rated_at=doc["rated_at"],
            )
            if rated
            else None,
            decision=Decision.from_record(decision) if decision else None,
            breaches=dict(doc.get("breached") or {}),
            redaction=Redaction(redacted["reason"], redacted["at"]) if redacted else None,
        )


@dataclass(frozen=True, slots=True)
class ContactClock:
    """A contact's clocks and status, without the child, the concern or the decision's reason:
    all an enquiry-status read takes."""

    contact_id: str
    status: ContactStatus
    rag_rating: RagRating | None
    """The hub's rating, else the rating as received."""
    received_at: datetime
    origin_agency: Agency
    person_id: str | None
    screen_by: datetime | None
    decide_by: datetime
    decided_at: datetime | None
    decided_in_time: bool | None

    @property
    def deadline(self) -> datetime:
        return self.screen_by or self.decide_by
