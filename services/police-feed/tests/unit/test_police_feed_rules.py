"""The police feed's pure rules: incident validation, concerns, Operation Encompass."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hub_agency.domain import Rejected
from hub_contracts.codes import Agency, ReferralSource
from hub_contracts.events import OperationEncompassNotified
from police_feed.domain.encompass import (
    SCHOOL_NOT_IN_DIRECTORY,
    NotificationStatus,
    acknowledged_in_time,
    encompass_notification,
    is_overdue,
    notification_id,
    notify_by,
    overdue_notice,
    plan_notification,
)
from police_feed.domain.incidents import (
    IncidentKind,
    PoliceIncident,
    concern_raised,
    fact_held,
)
from pydantic import ValidationError

ALLOWED_FIELDS = set(OperationEncompassNotified.model_fields)


def child(person_id: str = "CLV-P-1", **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "child": {
            "agency_person_id": person_id,
            "given_name": "Amelia",
            "family_name": "Hart",
            "date_of_birth": "2016-03-01",
            "sex": "female",
            "nhs_number": "9434765919",
            "address": {"lines": ["12 Mill Lane"], "postcode": "TS18 1AA"},
        },
        "present": True,
        "child_said": "I hid in my room.",
        "school_urn": "900200",
    }
    entry.update(overrides)
    return entry


def incident(**overrides: Any) -> PoliceIncident:
    body: dict[str, Any] = {
        "record_id": "CLV-INC-1",
        "incident_kind": "domestic-abuse",
        # a Friday evening: the next school day starts on Monday
        "occurred_at": "2026-11-20T22:15:00+00:00",
        "place": "the family home",
        "summary": "Shouting and a broken door; the partner was arrested.",
        "rag_rating": "amber",
        "officer_role": "response officer",
        "household": [
            {
                "given_name": "Sarah",
                "family_name": "Hart",
                "relationship_to_child": "mother",
                "lives_with_child": True,
            }
        ],
        "children": [child()],
    }
    body.update(overrides)
    return PoliceIncident.model_validate(body)


def test_a_child_is_either_at_a_school_or_not_in_school() -> None:
    with pytest.raises(ValidationError, match="exactly one of school_urn"):
        incident(children=[child(not_in_school=True)])
    with pytest.raises(ValidationError, match="exactly one of school_urn"):
        incident(children=[child(school_urn=None)])
    assert incident(children=[child(school_urn=None, not_in_school=True)]).children[0]


def test_an_incident_involves_at_least_one_child_each_once() -> None:
    with pytest.raises(ValidationError, match="children"):
        incident(children=[])
    with pytest.raises(ValidationError, match="appears once"):
        incident(children=[child("CLV-P-1"), child("CLV-P-1")])


def test_person_ids_and_references_must_be_usable_as_ids() -> None:
    with pytest.raises(ValidationError, match="police person id"):
        incident(children=[child("CLV P 1")])
    with pytest.raises(ValidationError, match="record_id"):
        incident(record_id="INC with spaces")
    with pytest.raises(ValidationError, match="occurred_at"):
        incident(occurred_at="2026-11-20T22:15:00")  # no offset: ambiguous around BST


def test_concern_carries_police_reference_source_rating_and_household() -> None:
    record = incident()
    concern = concern_raised(record, record.children[0])
    assert concern.agency_reference.agency is Agency.POLICE
    assert concern.agency_reference.reference == "CLV-INC-1"
    assert concern.referral_source is ReferralSource.POLICE
    assert concern.rag_rating == "amber"
    assert concern.concern_summary.startswith("Domestic abuse incident; the child was present.")
    assert concern.child.agency_person_id == "CLV-P-1"
    assert [m.given_name for m in concern.household] == ["Sarah"]
    assert concern.raised_by_role == "response officer"


def test_notification_holds_only_what_the_guidance_allows() -> None:
    record = incident()
    notice = encompass_notification(record, 0, "808")
    data = notice.model_dump(mode="json")
    assert set(data) == ALLOWED_FIELDS
    assert data == {
        "notification_id": "CLV-INC-1-OE1",
        "police_reference": "CLV-INC-1",
        "child_given_name": "Amelia",
        "child_family_name": "Hart",
        "child_date_of_birth": "2016-03-01",
        "incident_at": "2026-11-20T22:15:00Z",
        "incident_place": "the family home",
        "child_present": True,
        "child_said": "I hid in my room.",
        "school_urn": "900200",
        "local_authority_code": None,
        "notify_by": "2026-11-23T08:30:00Z",
    }
    assert "9434765919" not in str(data)  # no NHS number, address or narrative
    assert "Mill Lane" not in str(data)
    assert "arrested" not in str(data)


def test_a_child_not_in_school_is_notified_to_the_local_authority() -> None:
    record = incident(children=[child(school_urn=None, not_in_school=True)])
    notice = encompass_notification(record, 0, "805")
    assert (notice.school_urn, notice.local_authority_code) == (None, "805")
    with pytest.raises(Rejected) as refused:
        encompass_notification(record, 0, None)
    assert refused.value.reason == "unknown-local-authority"


def test_a_child_without_a_date_of_birth_has_the_notification_held_not_refused() -> None:
    no_dob = child("CLV-P-2")
    del no_dob["child"]["date_of_birth"]
    record = incident(children=[child(), no_dob])
    sent = plan_notification(record, 0, "808", {"900200"})
    assert sent.notice is not None
    assert sent.held is None
    held = plan_notification(record, 1, "808", {"900200"})
    assert held.notice is None
    assert held.held is not None
    assert held.held.reason == "date-of-birth-required"
    assert "children[1]" in held.held.detail
    assert held.stated_school_urn == "900200"


def test_a_school_not_in_the_directory_is_reached_through_the_local_authority() -> None:
    record = incident(children=[child(school_urn="123456")])  # an out-of-area school
    plan = plan_notification(record, 0, "808", {"900200"})
    assert plan.notice is not None
    assert (plan.notice.school_urn, plan.notice.local_authority_code) == (None, "808")
    assert plan.flags == (SCHOOL_NOT_IN_DIRECTORY,)
    assert plan.stated_school_urn == "123456"
    known = plan_notification(incident(), 0, "808", {"900200"})
    assert known.notice is not None
    assert known.notice.school_urn == "900200"
    assert known.flags == ()
    nowhere = plan_notification(record, 0, None, {"900200"})  # and no LA number configured
    assert nowhere.notice is None
    assert nowhere.held is not None
    assert nowhere.held.reason == "unknown-local-authority"


@pytest.mark.parametrize(
    ("occurred_at", "deadline"),
    [
        # Friday night -> Monday 08:30 (GMT)
        ("2026-11-20T22:15:00+00:00", "2026-11-23T08:30:00+00:00"),
        # a school day, before school -> the same morning
        ("2026-11-24T06:00:00+00:00", "2026-11-24T08:30:00+00:00"),
        # Christmas Eve evening -> after the bank holidays and the weekend
        ("2026-12-24T20:00:00+00:00", "2026-12-29T08:30:00+00:00"),
        # summer time: 08:30 London is 07:30 UTC
        ("2026-06-10T21:00:00+00:00", "2026-06-11T07:30:00+00:00"),
    ],
)
def test_notify_by_is_the_start_of_the_next_school_day(occurred_at: str, deadline: str) -> None:
    assert notify_by(incident(occurred_at=occurred_at)) == datetime.fromisoformat(deadline)


def test_notification_ids_are_stable_per_child() -> None:
    record = incident(children=[child("CLV-P-1"), child("CLV-P-2")])
    assert [notification_id(record, i) for i in range(2)] == ["CLV-INC-1-OE1", "CLV-INC-1-OE2"]


def test_overdue_and_in_time() -> None:
    deadline = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    before, after = datetime(2026, 11, 23, 8, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, tzinfo=UTC)
    awaiting = NotificationStatus.AWAITING_ACKNOWLEDGEMENT
    assert acknowledged_in_time(before, deadline)
    assert not acknowledged_in_time(after, deadline)
    assert is_overdue(awaiting, deadline, after)
    assert not is_overdue(awaiting, deadline, before)
    assert not is_overdue(NotificationStatus.ACKNOWLEDGED, deadline, after)
    notice = overdue_notice(
        notification="N-1",
        police_reference="CLV-INC-1",
        school_urn=None,
        local_authority_code="808",
        deadline=deadline,
        detected_at=after,
    )
    assert (notice.school_urn, notice.local_authority_code) == (None, "808")


def test_enquiry_fact_is_short_and_never_the_narrative() -> None:
    record = incident(incident_kind=IncidentKind.MISSING_EPISODE.value, place="the town centre")
    fact = fact_held(record, record.children[0])
    assert fact.kind == "missing-episode"
    assert fact.agency_reference == "CLV-INC-1"
    assert fact.summary == "Missing episode at the town centre; the child was present."
    assert fact.occurred_at == record.occurred_at
