"""The event catalogue: every contract is registered, frozen, described and realistic."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import hub_contracts.events as ev
import pytest
from hub_contracts.codes import CategoryOfAbuse, ContactOutcome, RagRating
from hub_contracts.envelope import REGISTRY, EventPayload
from hub_contracts.events import catalogue
from hub_contracts.examples import STOCKTON, example_payloads
from hub_contracts.services import SERVICES_BY_NAME
from pydantic import BaseModel, ValidationError

MODELS = sorted(catalogue().values(), key=lambda m: m.cloudevent_type())
EXPECTED = {
    "child-concern-raised",
    "contact-received",
    "contact-rated",
    "contact-deadline-breached",
    "contact-decided",
    "enquiry-requested",
    "enquiry-answered",
    "referral-to-early-help",
    "referral-to-social-care",
    "step-up-requested",
    "step-down-requested",
    "strategy-discussion-requested",
    "early-help-episode-opened",
    "early-help-episode-closed",
    "social-care-status-changed",
    "operation-encompass-notified",
    "operation-encompass-overdue",
    "operation-encompass-acknowledged",
    "record-accessed",
    "consent-recorded",
    "consent-withdrawn",
    "record-purged",
    "sharing-decision-recorded",
    "person-link-changed",
}
T = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)


def _models_used(model: type[BaseModel]) -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for info in current.model_fields.values():
            todo.extend(_nested_models(info.annotation))
    return seen


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _nested_models(arg)]


def test_importing_the_package_registers_the_whole_catalogue() -> None:
    assert {m.event_name for m in MODELS} == EXPECTED
    assert REGISTRY["uk.childrenshub.child-concern-raised.v2"] is ev.ChildConcernRaisedV2


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.cloudevent_type())
def test_every_contract_is_named_and_produced_by_known_services(model: type[EventPayload]) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", model.event_name)
    assert model.producers
    assert set(model.producers) <= set(SERVICES_BY_NAME)
    assert model.__doc__


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.cloudevent_type())
def test_every_field_of_every_model_is_described(model: type[EventPayload]) -> None:
    for used in _models_used(model):
        undescribed = [n for n, f in used.model_fields.items() if not f.description]
        assert not undescribed, f"{used.__name__}: {undescribed} need Field(description=...)"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.cloudevent_type())
def test_every_model_is_frozen_and_closed(model: type[EventPayload]) -> None:
    for used in _models_used(model):
        assert used.model_config.get("frozen") is True, used.__name__
        assert used.model_config.get("extra") == "forbid", used.__name__
    payload = example_payloads()[model.cloudevent_type()]
    name = next(iter(type(payload).model_fields))
    with pytest.raises(ValidationError, match="frozen"):
        setattr(payload, name, None)


def test_unknown_fields_are_refused() -> None:
    data = example_payloads()["uk.childrenshub.operation-encompass-notified.v1"].model_dump()
    with pytest.raises(ValidationError, match="Extra inputs"):
        ev.OperationEncompassNotified.model_validate({**data, "suspect_name": "Dean Mason"})


def _replace(type_: str, **changes: Any) -> dict[str, Any]:
    return {**example_payloads()[type_].model_dump(), **changes}


def test_a_cin_referral_decision_needs_a_primary_need() -> None:
    data = _replace("uk.childrenshub.contact-decided.v1", primary_need=None)
    with pytest.raises(ValidationError, match="needs a primary_need"):
        ev.ContactDecided.model_validate(data)
    ok = {**data, "outcome": ContactOutcome.NO_FURTHER_ACTION}
    assert ev.ContactDecided.model_validate(ok).primary_need is None


def test_not_telling_the_family_needs_a_reason() -> None:
    data = _replace("uk.childrenshub.contact-decided.v1", family_informed=False)
    with pytest.raises(ValidationError, match="family_not_informed_reason"):
        ev.ContactDecided.model_validate(data)
    reason = "Telling the family would prejudice a criminal investigation."
    decided = ev.ContactDecided.model_validate({**data, "family_not_informed_reason": reason})
    assert not decided.family_informed


def test_a_screening_deadline_cannot_exceed_the_rating() -> None:
    data = _replace("uk.childrenshub.contact-rated.v1", rag_rating=RagRating.RED)
    data["screen_by"] = data["rated_at"] + timedelta(hours=5)
    with pytest.raises(ValidationError, match="4 hours"):
        ev.ContactRated.model_validate(data)


def _answer(answer: dict[str, Any]) -> ev.EnquiryAnswered:
    data = _replace("uk.childrenshub.enquiry-answered.v1", answer=answer)
    return ev.EnquiryAnswered.model_validate(data)


def test_enquiry_answers_have_three_shapes() -> None:
    assert isinstance(_answer({"kind": "nothing-held"}).answer, ev.NothingHeld)
    not_shared = _answer(
        {"kind": "not-shared", "reason": "Live investigation.", "decided_by": "user:dci-12"}
    ).answer
    assert isinstance(not_shared, ev.NotShared)
    held = example_payloads()["uk.childrenshub.enquiry-answered.v1"]
    assert isinstance(held, ev.EnquiryAnswered)
    assert isinstance(held.answer, ev.InformationHeld)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"kind": "not-shared", "decided_by": "user:dci-12"}, "reason"),
        ({"kind": "information-held", "facts": []}, "at least 1"),
        ({"kind": "information-held"}, "facts"),
        ({"kind": "maybe"}, "does not match any of the expected tags"),
    ],
)
def test_malformed_enquiry_answers_are_refused(answer: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        _answer(answer)


def _status(**changes: Any) -> ev.SocialCareStatusChanged:
    data = _replace("uk.childrenshub.social-care-status-changed.v1", **changes)
    return ev.SocialCareStatusChanged.model_validate(data)


def test_a_child_protection_plan_needs_its_category_and_only_it_has_one() -> None:
    with pytest.raises(ValidationError, match="category_of_abuse"):
        _status(category_of_abuse=None)
    with pytest.raises(ValidationError, match="child protection plans only"):
        _status(status_kind=ev.StatusKind.LOOKED_AFTER, category_of_abuse=CategoryOfAbuse.NEGLECT)
    assert _status(status_kind=ev.StatusKind.LOOKED_AFTER, category_of_abuse=None)


def test_an_ended_status_needs_its_end_date() -> None:
    with pytest.raises(ValidationError, match="ended_on"):
        _status(change="ended")
    with pytest.raises(ValidationError, match="before started_on"):
        _status(change="ended", ended_on=date(2025, 1, 1))
    assert _status(change="ended", ended_on=date(2025, 9, 1)).ended_on == date(2025, 9, 1)


def test_operation_encompass_goes_to_a_school_or_the_local_authority() -> None:
    data = _replace("uk.childrenshub.operation-encompass-notified.v1")
    with pytest.raises(ValidationError, match="school_urn"):
        ev.OperationEncompassNotified.model_validate({**data, "local_authority_code": "808"})
    not_in_school = {**data, "school_urn": None, "local_authority_code": "808"}
    assert ev.OperationEncompassNotified.model_validate(not_in_school).school_urn is None
    guidance = {
        "notification_id",
        "police_reference",
        "child_given_name",
        "child_family_name",
        "child_date_of_birth",
        "incident_at",
        "incident_place",
        "child_present",
        "child_said",
        "school_urn",
        "local_authority_code",
        "notify_by",
    }
    assert set(ev.OperationEncompassNotified.model_fields) == guidance


def test_consent_is_given_by_a_relationship_not_just_a_name() -> None:
    with pytest.raises(ValidationError, match="relationship"):
        ev.ConsentGiver(has_parental_responsibility=True)
    with pytest.raises(ValidationError, match="competence"):
        ev.ConsentGiver(is_child=True, has_parental_responsibility=False)
    child = ev.ConsentGiver(
        is_child=True, has_parental_responsibility=False, competence_assessed=True
    )
    assert child.relationship is None


def test_consent_expiry_follows_giving() -> None:
    data = _replace("uk.childrenshub.consent-recorded.v1", expires_at=T - timedelta(days=400))
    with pytest.raises(ValidationError, match="expires_at"):
        ev.ConsentRecorded.model_validate(data)


def test_a_purge_for_withdrawn_consent_names_the_consent() -> None:
    data = _replace("uk.childrenshub.record-purged.v1", reason="consent-withdrawn")
    with pytest.raises(ValidationError, match="consent_id"):
        ev.RecordPurged.model_validate(data)
    assert ev.RecordPurged.model_validate({**data, "consent_id": "CONS-1"}).consent_id


def test_a_refusal_audit_record_carries_a_reason_code() -> None:
    data = _replace("uk.childrenshub.sharing-decision-recorded.v1", outcome="refused")
    with pytest.raises(ValidationError, match="reason_code"):
        ev.SharingDecisionRecorded.model_validate(data)
    refused = ev.SharingDecisionRecorded.model_validate(
        {**data, "reason_code": "basis-not-accepted"}
    )
    assert refused.reason_code == "basis-not-accepted"
    by_choice = ev.SharingDecisionRecorded.model_validate(
        {**data, "outcome": "not-shared-by-choice", "reason_code": "would-prejudice-investigation"}
    )
    assert by_choice.reason_code == ev.NotSharedReason.PREJUDICE_INVESTIGATION


def test_responsible_authority_numbers_are_phone_numbers() -> None:
    with pytest.raises(ValidationError, match="in_hours_phone"):
        ev.ResponsibleAuthority.model_validate(
            {**STOCKTON.model_dump(), "in_hours_phone": "ring the duty desk"}
        )


def test_postcodes_must_look_like_postcodes() -> None:
    with pytest.raises(ValidationError, match="postcode"):
        ev.Address(lines=("1 High St",), postcode="not a postcode")
