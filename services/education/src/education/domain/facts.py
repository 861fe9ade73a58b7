"""What education tells the hub about a pupil it holds: short facts, the minimum necessary.

Pure functions from education's own records to ``FactHeld``; the school's free
text stays at the school (the hub gets figures, dates and categories).
"""

from __future__ import annotations

from hub_contracts.events.enquiries import FactHeld

from education.domain.records import (
    SEN_PROVISION_DESCRIPTIONS,
    AttendanceConcernRecord,
    ExclusionRecord,
    PupilRecord,
    SenProvision,
)

MAX_FACTS_OF_A_KIND = 20
"""The most recent attendance concerns (and exclusions) shared per pupil."""


def school_fact(pupil: PupilRecord, school_name: str | None) -> FactHeld:
    school = f"{school_name} (URN {pupil.school_urn})" if school_name else f"URN {pupil.school_urn}"
    year = "no year group" if pupil.year_group == "X" else f"year group {pupil.year_group}"
    return FactHeld(
        kind="school-enrolment",
        summary=f"On roll at {school}, {year}, since {pupil.enrolled_on.isoformat()}.",
        agency_reference=pupil.record_id,
    )


def sen_fact(pupil: PupilRecord) -> FactHeld:
    provision = SEN_PROVISION_DESCRIPTIONS[pupil.sen_provision]
    if pupil.primary_sen_type is None or pupil.sen_provision is SenProvision.NONE:
        summary = f"{provision}."
    else:
        kind = pupil.primary_sen_type
        summary = f"{provision}; primary SEN type {kind.value} ({kind.description})."
    return FactHeld(kind="sen-provision", summary=summary, agency_reference=pupil.record_id)


def attendance_fact(concern: AttendanceConcernRecord) -> FactHeld:
    return FactHeld(
        kind="attendance-concern",
        summary=(
            f"Attendance {concern.attendance_percentage:g}% from "
            f"{concern.period_start.isoformat()} to {concern.period_end.isoformat()}, "
            f"{concern.unexplained_absences} unexplained absences"
            + ("; raised as a safeguarding concern." if concern.raise_concern else ".")
        ),
        occurred_at=concern.occurred_at(),
        agency_reference=concern.record_id,
    )


def exclusion_fact(exclusion: ExclusionRecord) -> FactHeld:
    return FactHeld(
        kind=exclusion.kind.value,
        summary=exclusion.description() + ".",
        occurred_at=exclusion.occurred_at(),
        agency_reference=exclusion.record_id,
    )


def pupil_facts(
    pupil: PupilRecord,
    school_name: str | None,
    concerns: list[AttendanceConcernRecord],
    exclusions: list[ExclusionRecord],
) -> list[FactHeld]:
    """Current school and year, SEN provision, then the latest concerns and exclusions."""
    latest_concerns = sorted(concerns, key=lambda c: c.period_end, reverse=True)
    latest_exclusions = sorted(exclusions, key=lambda e: e.start_date, reverse=True)
    return [
        school_fact(pupil, school_name),
        sen_fact(pupil),
        *(attendance_fact(c) for c in latest_concerns[:MAX_FACTS_OF_A_KIND]),
        *(exclusion_fact(e) for e in latest_exclusions[:MAX_FACTS_OF_A_KIND]),
    ]
