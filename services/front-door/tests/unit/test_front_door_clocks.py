"""Screening windows and the one-working-day decision deadline."""

from datetime import UTC, datetime

import pytest
from front_door.domain.contacts import ScreeningWindows, decide_by, screen_by
from hub_contracts.codes import RagRating
from pydantic import ValidationError

FRIDAY_4PM = datetime(2026, 12, 18, 16, 0, tzinfo=UTC)


def test_windows_default_to_4_24_72_hours() -> None:
    windows = ScreeningWindows.from_settings(None)
    assert screen_by(FRIDAY_4PM, RagRating.RED, windows) == datetime(
        2026, 12, 18, 20, 0, tzinfo=UTC
    )
    assert screen_by(FRIDAY_4PM, RagRating.GREEN, windows) == datetime(
        2026, 12, 21, 16, 0, tzinfo=UTC
    )


def test_a_tenant_may_shorten_but_never_lengthen_a_window() -> None:
    shorter = ScreeningWindows.from_settings({"rag_window_hours": {"red": 2}})
    assert screen_by(FRIDAY_4PM, RagRating.RED, shorter) == datetime(
        2026, 12, 18, 18, 0, tzinfo=UTC
    )
    with pytest.raises(ValidationError):
        ScreeningWindows.from_settings({"rag_window_hours": {"amber": 48}})


def test_a_decision_on_a_christmas_week_friday_is_due_the_next_working_day() -> None:
    windows = ScreeningWindows()
    assert decide_by(FRIDAY_4PM, windows) == datetime(2026, 12, 21, 16, 0, tzinfo=UTC)
    christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
    assert decide_by(christmas_eve, windows) == datetime(2026, 12, 29, 10, 0, tzinfo=UTC)
