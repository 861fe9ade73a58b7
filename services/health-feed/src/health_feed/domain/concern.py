"""What an attendance tells the hub and answers to an enquiry (pure)."""

from __future__ import annotations

from datetime import datetime

from hub_contracts.codes import Agency, RagRating
from hub_contracts.events import (
    AgencyReference,
    CareSetting,
    ChildConcernRaisedV2,
    FactHeld,
)

from health_feed.domain.attendance import Attendance, NhsNumberStatus
from health_feed.domain.codes import REFERRAL_SOURCE_OF_SETTING

SETTING_NAMES = {
    CareSetting.EMERGENCY_DEPARTMENT: "emergency department",
    CareSetting.URGENT_TREATMENT_CENTRE: "urgent treatment centre",
    CareSetting.WALK_IN_CENTRE: "walk-in centre",
}
MAX_SUMMARY = 4000
FACT_KIND = "a-and-e-attendance"


def _setting_name(setting: CareSetting | str) -> str:
    """``an emergency department``, ``a walk-in centre``."""
    name = SETTING_NAMES.get(CareSetting(setting), str(setting).replace("-", " "))
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def concern_raised(
    record_id: str, attendance: Attendance, rag_rating: RagRating | None
) -> ChildConcernRaisedV2 | None:
    """The concern a safeguarding flag raises with the hub; None without one."""
    if not attendance.flags:
        return None
    setting = _setting_name(attendance.setting)
    where = f" at {attendance.organisation_name}" if attendance.organisation_name else ""
    parts = [f"Safeguarding flag raised at {setting} attendance{where}."]
    for flag in attendance.flags:
        parts.append(f"{flag.display} (SNOMED CT {flag.code}).")
        if flag.note:
            parts.append(f"Clinician's note: {flag.note}")
    if note := _nhs_number_note(attendance):
        parts.append(note)
    summary = " ".join(parts)
    if len(summary) > MAX_SUMMARY:
        summary = summary[: MAX_SUMMARY - 1] + "…"
    return ChildConcernRaisedV2(
        agency_reference=AgencyReference(agency=Agency.HEALTH, reference=record_id),
        referral_source=REFERRAL_SOURCE_OF_SETTING[attendance.setting],
        rag_rating=rag_rating,
        concern_summary=summary,
        child=attendance.child,
        occurred_at=attendance.arrived_at,
        raised_by_role=f"{SETTING_NAMES[attendance.setting]} clinician",
    )


_NHS_NUMBER_NOTES = {
    NhsNumberStatus.INVALID: "NHS number as sent ({}) fails the format or Modulus 11 check; "
    "it is not used to link records.",
    NhsNumberStatus.UNVERIFIED: "NHS number as sent ({}) is not verified by the sender "
    "(UK Core verification status other than 01); it is not used to link records.",
    NhsNumberStatus.CONFLICTING: "More than one NHS number was sent ({}); none is used to link "
    "records.",
    NhsNumberStatus.ABSENT: "No NHS number was sent.",
}


def _nhs_number_note(attendance: Attendance) -> str | None:
    """What staff should know about an NHS number the hub cannot link on: the number as
    stated stays with the concern, so nothing the sender said is lost."""
    template = _NHS_NUMBER_NOTES.get(attendance.nhs_number_status)
    return None if template is None else template.format(attendance.nhs_number_as_stated)


def attendance_fact(
    record_id: str,
    setting: str,
    arrived_at: datetime,
    organisation_name: str | None,
    safeguarding_flag: bool,
) -> FactHeld:
    """An attendance as an enquiry answer: where and when, and the flag; no clinical detail."""
    where = f" at {organisation_name}" if organisation_name else ""
    flag = (
        "A safeguarding concern was flagged at this attendance."
        if safeguarding_flag
        else "No safeguarding flag was recorded."
    )
    return FactHeld(
        kind=FACT_KIND,
        summary=f"Attended {_setting_name(setting)}{where}. {flag}",
        occurred_at=arrived_at,
        agency_reference=record_id,
    )
