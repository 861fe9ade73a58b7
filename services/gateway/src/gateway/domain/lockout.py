"""Lockout after repeated sign-in failures: a pure rule over recent failures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def locked_until(
    failures: Sequence[datetime], now: datetime, *, limit: int, window: timedelta
) -> datetime | None:
    """When a username locked by ``limit`` failures within ``window`` unlocks, else None.

    The lock lasts until the oldest of the last ``limit`` failures leaves the
    window, so a steady stream of guesses keeps it locked.
    """
    recent = sorted(f for f in failures if now - f < window)
    if len(recent) < limit:
        return None
    return recent[-limit] + window
