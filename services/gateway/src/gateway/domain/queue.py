"""How the work queue shows time left: RAG colour and a short human phrase."""

from __future__ import annotations

from hub_contracts.codes import RagRating

RAG_TAG = {
    RagRating.RED.value: "govuk-tag--red",
    RagRating.AMBER.value: "govuk-tag--orange",
    RagRating.GREEN.value: "govuk-tag--green",
}


def time_left_text(seconds_left: int) -> str:
    """'3 h 20 min left' or 'overdue by 1 h 5 min'; minutes are floored."""
    span = abs(seconds_left)
    hours, rest = divmod(span, 3600)
    minutes = rest // 60
    days, hours = divmod(hours, 24)
    parts = [f"{days} d"] if days else []
    if hours or days:
        parts.append(f"{hours} h")
    parts.append(f"{minutes} min")
    text = " ".join(parts)
    return f"overdue by {text}" if seconds_left < 0 else f"{text} left"


def decided_text(in_time: bool | None) -> str:
    """What a decided contact shows instead of a running clock."""
    if in_time is None:
        return "decided"
    return "decided in time" if in_time else "decided late"
