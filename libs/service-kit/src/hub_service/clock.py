"""Time for statutory clocks: an injectable clock and England's working days.

Services never call ``datetime.now`` for a deadline: they take a ``Clock`` so
tests control time. Working days exclude weekends and England bank holidays
(from the ``holidays`` package, subdivision ENG); local times are Europe/London.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
SCHOOL_DAY_STARTS = time(8, 30)
"""When a school day starts, for Operation Encompass deadlines (local time)."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock a test sets and moves."""

    current: datetime = field(default_factory=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@cache
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` moved on by ``days`` working days, keeping its local time of day."""
    local = start.astimezone(LONDON)
    day = local.date()
    for _ in range(days):
        day = next_working_day(day)
    return datetime.combine(day, local.time(), LONDON).astimezone(UTC)


def next_school_day_start(after: datetime, starts: time = SCHOOL_DAY_STARTS) -> datetime:
    """The start of the next school day after ``after`` (term dates aside: working days)."""
    local = after.astimezone(LONDON)
    day = local.date()
    if not (is_working_day(day) and local.time() < starts):
        day = next_working_day(day)
    return datetime.combine(day, starts, LONDON).astimezone(UTC)
