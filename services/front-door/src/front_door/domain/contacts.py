"""Contacts and their clocks: pure rules, no I/O.

A contact is one concern about one child reaching the hub. Its screening
clock runs from receipt by its RAG rating (red 4 h, amber 24 h, green 72 h by
default; a tenant may set shorter windows), and a decision is due within one
working day of receipt (Working Together 2023; weekends and England bank
holidays excluded).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from hub_contracts.codes import SCREENING_HOURS, Agency, RagRating
from hub_service.clock import add_working_days
from pydantic import BaseModel, ConfigDict, Field, model_validator

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
