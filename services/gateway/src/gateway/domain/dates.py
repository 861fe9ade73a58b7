"""Dates as GOV.UK pages show them: '23 November 2026 at 9:33pm', in UK time."""

from __future__ import annotations

from datetime import datetime

from hub_service.clock import LONDON


def human_time(value: object) -> str:
    """An ISO date-time (or datetime) in the GOV.UK style; anything else as it is."""
    if value is None or value == "":
        return ""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if len(value) == 10:  # a date alone, e.g. a date of birth
            return moment.strftime("%-d %B %Y")
    if not isinstance(moment, datetime):
        return str(value)
    if moment.tzinfo is None:
        return moment.strftime("%-d %B %Y")
    local = moment.astimezone(LONDON)
    hour = local.strftime("%-I:%M%p").lower().replace(":00", "")
    return f"{local.strftime('%-d %B %Y')} at {hour}"
