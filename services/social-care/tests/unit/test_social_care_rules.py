"""Social care's pure rules: status transitions, record consistency, what enquiries are told."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hub_agency.domain import ChildAsSeen, Rejected
from hub_contracts.codes import CategoryOfAbuse, CinClosureReason
from hub_contracts.events.common import StatusKind
from pydantic import ValidationError
from social_care.domain import statuses
from social_care.domain.records import StatusChangeRecord
from social_care.domain.referrals import (
    ReferralKind,
    ReferralStatus,
    child_keys,
    referral_matches,
    referral_summary,
)

CP = StatusKind.CHILD_PROTECTION_PLAN
CIN = StatusKind.CHILD_IN_NEED
STOCKTON = {
    "_id": "stockton",
    "authority": "Stockton-on-Tees Borough Council",
    "la_code": "808",
    "daytime_phone": "01632 960201",
    "out_of_hours_phone": "01632 960202",
}


def _record(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": "CHG-1",
        "case_id": "CASE-1",
        "child": {"agency_person_id": "SC-P-1", "given_name": "Oliver", "family_name": "Brown"},
        "status_kind": "child-protection-plan",
        "change": "started",
        "started_on": "2026-11-09",
        "category_of_abuse": "Neglect",
    }
    body.update(overrides)
    return body


def _open_cp() -> statuses.Status:
    return statuses.start(
        None,
        person_id="SC-P-1",
        status_kind=CP,
        case_id="CASE-1",
        started_on=date(2026, 11, 9),
        change_id="CHG-1",
        category_of_abuse=CategoryOfAbuse.NEGLECT,
    )


def test_a_child_protection_plan_starts_only_with_its_category() -> None:
    assert StatusChangeRecord.model_validate(_record()).category_of_abuse is CategoryOfAbuse.NEGLECT
    with pytest.raises(ValidationError, match="needs its category_of_abuse"):
        StatusChangeRecord.model_validate(_record(category_of_abuse=None))
    with pytest.raises(ValidationError, match="child protection plans only"):
        StatusChangeRecord.model_validate(_record(status_kind="child-in-need"))


def test_the_category_of_abuse_is_read_in_any_case() -> None:
    for given in ("neglect", "NEGLECT", "Neglect"):
        record = StatusChangeRecord.model_validate(_record(category_of_abuse=given))
        assert record.category_of_abuse is CategoryOfAbuse.NEGLECT
    record = StatusChangeRecord.model_validate(_record(category_of_abuse="sexual  abuse"))
    assert record.category_of_abuse is CategoryOfAbuse.SEXUAL
    with pytest.raises(ValidationError, match="category_of_abuse"):
        StatusChangeRecord.model_validate(_record(category_of_abuse="neglected"))


def test_ending_needs_an_end_date_not_before_the_start() -> None:
    with pytest.raises(ValidationError, match="ended_on is required"):
        StatusChangeRecord.model_validate(_record(change="ended"))
    with pytest.raises(ValidationError, match="ended_on is required"):
        StatusChangeRecord.model_validate(_record(ended_on="2026-11-20"))
    with pytest.raises(ValidationError, match="before started_on"):
        StatusChangeRecord.model_validate(_record(change="ended", ended_on="2026-11-01"))
    ended = StatusChangeRecord.model_validate(
        _record(change="ended", ended_on="2026-11-20", category_of_abuse=None)
    )
    assert ended.ended_on == date(2026, 11, 20)  # the plan's category is carried on


def test_closure_reason_only_ends_a_child_in_need_status() -> None:
    cin_end = _record(
        status_kind="child-in-need",
        category_of_abuse=None,
        change="ended",
        ended_on="2026-11-20",
        closure_reason="RC8",
    )
    assert StatusChangeRecord.model_validate(cin_end).closure_reason is CinClosureReason.RC8
    with pytest.raises(ValidationError, match="closure_reason belongs"):
        StatusChangeRecord.model_validate(_record(closure_reason="RC8"))


def test_a_status_opens_once_and_closes_once() -> None:
    opened = _open_cp()
    assert opened.is_open
    with pytest.raises(Rejected) as again:
        statuses.start(
            opened,
            person_id="SC-P-1",
            status_kind=CP,
            case_id="CASE-1",
            started_on=date(2026, 11, 10),
            change_id="CHG-2",
            category_of_abuse=CategoryOfAbuse.PHYSICAL,
        )
    assert (again.value.reason, again.value.status) == ("status-already-open", 409)

    closed = statuses.end(
        opened,
        person_id="SC-P-1",
        status_kind=CP,
        started_on=date(2026, 11, 9),
        ended_on=date(2026, 11, 20),
        change_id="CHG-3",
        category_of_abuse=None,
        closure_reason=None,
    )
    assert not closed.is_open
    assert closed.category_of_abuse is CategoryOfAbuse.NEGLECT
    assert closed.ended_change_id == "CHG-3"
    assert statuses.Status.from_document(closed.to_document()) == closed

    for current in (None, closed):
        with pytest.raises(Rejected) as not_open:
            statuses.end(
                current,
                person_id="SC-P-1",
                status_kind=CP,
                started_on=date(2026, 11, 9),
                ended_on=date(2026, 11, 21),
                change_id="CHG-4",
                category_of_abuse=None,
                closure_reason=None,
            )
        assert (not_open.value.reason, not_open.value.status) == ("status-not-open", 409)


def test_ending_a_status_must_name_the_start_it_ends() -> None:
    with pytest.raises(Rejected) as mismatch:
        statuses.end(
            _open_cp(),
            person_id="SC-P-1",
            status_kind=CP,
            started_on=date(2026, 11, 1),
            ended_on=date(2026, 11, 20),
            change_id="CHG-3",
            category_of_abuse=None,
            closure_reason=None,
        )
    assert (mismatch.value.reason, mismatch.value.status) == ("started-on-mismatch", 409)


def test_the_responsible_authority_comes_from_the_reference_contacts() -> None:
    authority = statuses.responsible_authority(STOCKTON, "stockton")
    assert authority.name == "Stockton-on-Tees Borough Council"
    assert authority.la_code == "808"
    assert (authority.in_hours_phone, authority.out_of_hours_phone) == (
        "01632 960201",
        "01632 960202",
    )
    with pytest.raises(Rejected) as missing:
        statuses.responsible_authority(None, "stockton")
    assert (missing.value.reason, missing.value.status) == ("authority-contacts-missing", 503)
    for broken in ({**STOCKTON, "la_code": None}, {**STOCKTON, "daytime_phone": "call us"}):
        with pytest.raises(Rejected) as invalid:
            statuses.responsible_authority(broken, "stockton")
        assert invalid.value.reason == "authority-contacts-invalid"


def test_enquiries_are_told_the_status_never_the_category_of_abuse() -> None:
    opened = _open_cp()
    summary = statuses.status_summary(opened)
    assert summary == "Current child protection plan since 2026-11-09."
    assert "eglect" not in summary
    closed = statuses.end(
        opened,
        person_id="SC-P-1",
        status_kind=CP,
        started_on=date(2026, 11, 9),
        ended_on=date(2026, 11, 20),
        change_id="CHG-3",
        category_of_abuse=CategoryOfAbuse.SEXUAL,
        closure_reason=None,
    )
    assert statuses.status_summary(closed) == (
        "Past child protection plan, 2026-11-09 to 2026-11-20."
    )


def test_referrals_are_matched_by_strong_ids_or_date_of_birth_and_names() -> None:
    keys = child_keys(
        ChildAsSeen(
            given_name="Jack",
            family_name="Wilson",
            date_of_birth=date(2010, 1, 9),
            nhs_number="9434790018",
            agency_person_id="HUB-P-9",
        )
    )
    assert "agency_person_id" not in keys  # the sender's id is not social care's
    assert referral_matches(keys, ChildAsSeen(nhs_number="9434790018"))
    assert not referral_matches(
        keys,
        ChildAsSeen(
            nhs_number="9434780004",
            given_name="Jack",
            family_name="Wilson",
            date_of_birth=date(2010, 1, 9),
        ),
    )
    same_by_name = ChildAsSeen(
        given_name=" jack ", family_name="WILSON", date_of_birth=date(2010, 1, 9)
    )
    assert referral_matches(keys, same_by_name)
    assert not referral_matches(
        keys, ChildAsSeen(given_name="Jake", family_name="Wilson", date_of_birth=date(2010, 1, 9))
    )
    assert not referral_matches(keys, ChildAsSeen(given_name="Jack", family_name="Wilson"))


def test_an_open_referral_is_summarised_without_its_content() -> None:
    received = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert referral_summary(ReferralKind.STEP_UP, ReferralStatus.AWAITING_DECISION, received) == (
        "Step-up from early help received 2026-11-20, awaiting decision."
    )
