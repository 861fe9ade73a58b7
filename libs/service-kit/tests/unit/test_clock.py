"""Working days and school-day deadlines skip weekends and England bank holidays."""

from datetime import UTC, date, datetime, timedelta

from hub_service.clock import (
    FixedClock,
    add_working_days,
    is_working_day,
    next_school_day_start,
)


def test_bank_holidays_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day, a Friday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute, a Monday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert is_working_day(date(2026, 12, 29))


def test_a_friday_evening_incident_is_due_before_monday_school() -> None:
    friday_night = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    assert next_school_day_start(friday_night) == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def test_an_early_morning_incident_is_due_the_same_morning_in_london_time() -> None:
    # 06:00 BST on a Wednesday in June: due 08:30 BST, which is 07:30 UTC
    early = datetime(2026, 6, 17, 5, 0, tzinfo=UTC)
    assert next_school_day_start(early) == datetime(2026, 6, 17, 7, 30, tzinfo=UTC)


def test_christmas_eve_incident_waits_for_the_next_working_day() -> None:
    christmas_eve = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    assert next_school_day_start(christmas_eve) == datetime(2026, 12, 29, 8, 30, tzinfo=UTC)
    assert add_working_days(christmas_eve, 1) == datetime(2026, 12, 29, 18, 0, tzinfo=UTC)


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    clock.advance(timedelta(hours=2))
    assert clock.now() == datetime(2026, 1, 5, 11, 0, tzinfo=UTC)
