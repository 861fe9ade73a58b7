"""CP-IS-style flags: what an unscheduled-care setting is shown about a child (pure).

The national Child Protection - Information Sharing service shows a child's
child protection plan and looked-after statuses, with the responsible local
authority's numbers, including statuses that ended in the last 12 months.
Child in need is not a CP-IS flag. Statuses come from social care's
``social-care-status-changed`` events, keyed by NHS number; a status is
identified by its kind and start date, so "ended" finds the "started" it ends
(and an "ended" that arrives first is kept as it is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from hub_contracts.events import ResponsibleAuthority, StatusKind
from hub_contracts.identifiers import is_valid_nhs_number
from pydantic import BaseModel, ConfigDict, Field

CP_IS_KINDS = frozenset({StatusKind.CHILD_PROTECTION_PLAN, StatusKind.LOOKED_AFTER})
"""Statuses CP-IS flags; child in need is not one of them."""
ACCESS_LOG_LENGTH = 25
"""CP-IS keeps the latest 25 accesses of a child's record."""
ENDED_SHOWN_MONTHS = 12
"""Ended statuses stay visible this many months after they end."""


class FlagStatus(BaseModel):
    """One child protection plan or looked-after status as health holds it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status_kind: StatusKind = Field(description="child-protection-plan or looked-after.")
    started_on: date = Field(description="When the status started.")
    ended_on: date | None = Field(default=None, description="When it ended, if it has.")
    responsible_authority: ResponsibleAuthority | None = Field(
        default=None, description="The local authority responsible, with its numbers."
    )
    change_ids: tuple[str, ...] = Field(
        default=(), description="Social care's change ids applied to this status (idempotency)."
    )


class ShownStatus(BaseModel):
    """A flag as an unscheduled-care setting sees it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status_kind: StatusKind = Field(description="child-protection-plan or looked-after.")
    state: Literal["active", "ended"] = Field(
        description="'active', or 'ended' within the last 12 months."
    )
    started_on: date = Field(description="When the status started.")
    ended_on: date | None = Field(default=None, description="When it ended, if it has.")
    responsible_authority: ResponsibleAuthority | None = Field(
        default=None, description="Who to call: the responsible authority's numbers."
    )


@dataclass(frozen=True)
class StatusChange:
    """A ``social-care-status-changed`` event as health-feed may see it."""

    change_id: str
    status_kind: StatusKind
    change: Literal["started", "ended"]
    started_on: date
    ended_on: date | None
    nhs_number: str | None
    responsible_authority: ResponsibleAuthority | None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> StatusChange:
        authority = data.get("responsible_authority")
        ended = data.get("ended_on")
        nhs = data.get("child_nhs_number")
        return cls(
            change_id=str(data["change_id"]),
            status_kind=StatusKind(data["status_kind"]),
            change="ended" if data["change"] == "ended" else "started",
            started_on=date.fromisoformat(data["started_on"]),
            ended_on=date.fromisoformat(ended) if ended else None,
            nhs_number=nhs if is_valid_nhs_number(nhs) else None,
            responsible_authority=(
                ResponsibleAuthority.model_validate(authority) if authority else None
            ),
        )

    @property
    def is_cp_is_flag(self) -> bool:
        return self.status_kind in CP_IS_KINDS


def apply_change(statuses: Sequence[FlagStatus], change: StatusChange) -> list[FlagStatus]:
    """The child's statuses after ``change`` (unchanged if it was applied already)."""
    if any(change.change_id in s.change_ids for s in statuses):
        return list(statuses)
    result: list[FlagStatus] = []
    matched = False
    for status in statuses:
        if status.status_kind is change.status_kind and status.started_on == change.started_on:
            matched = True
            status = status.model_copy(
                update={
                    "ended_on": change.ended_on if change.change == "ended" else status.ended_on,
                    "responsible_authority": change.responsible_authority
                    or status.responsible_authority,
                    "change_ids": (*status.change_ids, change.change_id),
                }
            )
        result.append(status)
    if not matched:
        result.append(
            FlagStatus(
                status_kind=change.status_kind,
                started_on=change.started_on,
                ended_on=change.ended_on if change.change == "ended" else None,
                responsible_authority=change.responsible_authority,
                change_ids=(change.change_id,),
            )
        )
    return sorted(result, key=lambda s: (s.started_on, s.status_kind.value))


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def shown_statuses(statuses: Sequence[FlagStatus], today: date) -> list[ShownStatus]:
    """What a check on ``today`` shows: active statuses, and those ended in the last 12 months."""
    since = months_before(today, ENDED_SHOWN_MONTHS)
    shown = []
    for status in statuses:
        if status.status_kind not in CP_IS_KINDS:
            continue
        if status.ended_on is not None and status.ended_on < since:
            continue
        active = status.ended_on is None or status.ended_on > today
        shown.append(
            ShownStatus(
                status_kind=status.status_kind,
                state="active" if active else "ended",
                started_on=status.started_on,
                ended_on=status.ended_on,
                responsible_authority=status.responsible_authority,
            )
        )
    return sorted(shown, key=lambda s: (s.state != "active", s.started_on))
