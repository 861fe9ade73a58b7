"""The committed sharing policy: complete, consistent with the contracts, and minimising."""

from __future__ import annotations

from typing import Any

import pytest
from hub_contracts.binding import RejectReason
from hub_contracts.envelope import REGISTRY, CloudEvent, EventPayload
from hub_contracts.events import catalogue
from hub_contracts.examples import example_events
from hub_contracts.policy import (
    ALL_FIELDS,
    PolicyRule,
    SharingOutcome,
    load_policy,
    minimise,
    withheld_paths,
)
from hub_contracts.services import SERVICES_BY_NAME
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition

POLICY = load_policy()
RULES = POLICY.document.rules
EVENTS = {e.type: e for e in example_events()}
MODELS_BY_NAME: dict[str, list[type[EventPayload]]] = {}
for _model in catalogue().values():
    MODELS_BY_NAME.setdefault(_model.event_name, []).append(_model)
RECORDS_MANAGEMENT = ("consent-withdrawn", "record-purged", "sharing-decision-recorded")


def _event(name: str, major: int = 1) -> CloudEvent:
    return EVENTS[f"uk.childrenshub.{name}.v{major}"]


def _with_basis(event: CloudEvent, basis: SharingBasis) -> CloudEvent:
    return event.model_copy(update={"sharing": basis})


# --- decisions ---------------------------------------------------------------------


def test_a_concern_is_shared_in_full_with_the_hub() -> None:
    decision = POLICY.decide(_event("child-concern-raised"), "front-door")
    assert decision.outcome is SharingOutcome.SHARED
    assert decision.visible_fields == (ALL_FIELDS,)
    assert POLICY.decide(_event("child-concern-raised", 2), "front-door").allowed


def test_a_school_sees_only_what_operation_encompass_allows() -> None:
    event = _event("operation-encompass-notified")
    decision = POLICY.decide(event, "education")
    assert decision.outcome is SharingOutcome.MINIMISED
    seen = minimise(event.data, decision.visible_fields)
    assert "local_authority_code" not in seen
    assert seen["child_given_name"] == "Maisie"
    assert withheld_paths(event.data, decision.visible_fields) == ["local_authority_code"]


def test_health_flags_never_carry_the_category_of_abuse() -> None:
    event = _event("social-care-status-changed")
    decision = POLICY.decide(event, "health-feed")
    assert decision.outcome is SharingOutcome.MINIMISED
    seen = minimise(event.data, decision.visible_fields)
    assert "category_of_abuse" not in seen
    assert "child" not in seen
    assert seen["status_kind"] == "child-protection-plan"
    assert seen["responsible_authority"]["out_of_hours_phone"]
    assert seen["child_nhs_number"] == "9434765919"
    withheld = withheld_paths(event.data, decision.visible_fields)
    assert "category_of_abuse" in withheld
    assert "child.given_name" in withheld


def test_each_agency_gets_the_identifiers_it_searches_on() -> None:
    event = _event("enquiry-requested")
    health = minimise(event.data, POLICY.decide(event, "health-feed").visible_fields)
    school = minimise(event.data, POLICY.decide(event, "education").visible_fields)
    police = minimise(event.data, POLICY.decide(event, "police-feed").visible_fields)
    assert "nhs_number" in health["child"]
    assert "upn" not in health["child"]
    assert health["child"]["address"] == {"postcode": "TS18 3QT"}
    assert all(
        set(m) <= {"given_name", "family_name", "date_of_birth", "relationship_to_child"}
        for m in health["household"]
    )
    assert "upn" in school["child"]
    assert "nhs_number" not in school["child"]
    assert "nhs_number" not in police["child"]
    assert "upn" not in police["child"]


def test_the_hub_sees_enquiry_facts_but_not_who_answered() -> None:
    event = _event("enquiry-answered")
    decision = POLICY.decide(event, "front-door")
    seen = minimise(event.data, decision.visible_fields)
    assert seen["answer"]["facts"][0]["summary"].startswith("Mother attended A&E")
    assert "answered_by" not in seen
    assert seen["answered_by_role"] == "safeguarding nurse"


def test_a_wrong_basis_is_refused() -> None:
    event = _with_basis(
        _event("operation-encompass-notified"),
        SharingBasis(lawful_basis=LawfulBasis.VITAL_INTERESTS, purpose=Purpose.REFERRAL),
    )
    decision = POLICY.decide(event, "education")
    assert decision.outcome is SharingOutcome.REFUSED
    assert decision.reason is RejectReason.BASIS_NOT_ACCEPTED
    assert minimise(event.data, decision.visible_fields) == {}


def test_consent_is_not_a_basis_for_operation_encompass() -> None:
    event = _with_basis(
        _event("operation-encompass-notified"),
        SharingBasis(
            lawful_basis=LawfulBasis.CONSENT,
            purpose=Purpose.OPERATION_ENCOMPASS,
            consent_ref="CONS-1",
        ),
    )
    assert POLICY.decide(event, "education").reason is RejectReason.BASIS_NOT_ACCEPTED


def _from(event: CloudEvent, producer: str, basis: SharingBasis) -> CloudEvent:
    tenant = event.source.split("/")[1]
    return event.model_copy(update={"source": f"/{tenant}/{producer}", "sharing": basis})


def test_health_data_without_a_special_category_condition_is_refused() -> None:
    bare = SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
    )
    concern = _from(_event("child-concern-raised"), "health-feed", bare)
    decision = POLICY.decide(concern, "front-door")
    assert decision.outcome is SharingOutcome.REFUSED
    assert decision.reason is RejectReason.SPECIAL_CATEGORY_CONDITION_MISSING
    assert "health-feed" in decision.detail
    assert not POLICY.accepted_anywhere(concern).allowed

    with_condition = bare.model_copy(
        update={"special_category_condition": SpecialCategoryCondition.SAFEGUARDING_CHILDREN}
    )
    assert POLICY.decide(_from(concern, "health-feed", with_condition), "front-door").allowed


def test_the_same_event_from_a_school_needs_no_special_category_condition() -> None:
    bare = SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
    )
    concern = _from(_event("child-concern-raised"), "education", bare)
    assert POLICY.decide(concern, "front-door").outcome is SharingOutcome.SHARED


def test_police_processing_under_part_3_needs_no_special_category_condition() -> None:
    part3 = SharingBasis(
        lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.MULTI_AGENCY_ENQUIRY
    )
    answer = _from(_event("enquiry-answered"), "police-feed", part3)
    assert POLICY.decide(answer, "front-door").allowed


@pytest.mark.parametrize(
    "name", ["referral-to-social-care", "strategy-discussion-requested", "record-accessed"]
)
def test_events_that_are_special_category_from_anyone_need_the_condition(name: str) -> None:
    event = _event(name)
    bare = event.sharing.model_copy(update={"special_category_condition": None})
    refused = [POLICY.decide(_with_basis(event, bare), r) for r in POLICY.recipients(name)]
    assert refused
    assert {d.reason for d in refused} == {RejectReason.SPECIAL_CATEGORY_CONDITION_MISSING}


@pytest.mark.parametrize("recipient", ["gateway", "education", "a-stranger"])
def test_a_recipient_without_a_rule_is_refused(recipient: str) -> None:
    decision = POLICY.decide(_event("record-accessed"), recipient)
    assert decision.outcome is SharingOutcome.REFUSED
    assert decision.reason is RejectReason.RECIPIENT_NOT_ALLOWED


@pytest.mark.parametrize("event", list(EVENTS.values()), ids=lambda e: e.type)
def test_every_example_event_is_publishable(event: CloudEvent) -> None:
    assert POLICY.accepted_anywhere(event).allowed


# --- the policy data ---------------------------------------------------------------------


def test_every_registered_event_has_a_rule() -> None:
    for model in catalogue().values():
        assert POLICY.recipients(model.event_name), f"no rule for {model.event_name}"
        recipients = POLICY.recipients(model.event_name)
        assert any(POLICY.rules_for(model.event_name, model.major, r) for r in recipients)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.event}->{r.recipient}")
def test_every_rule_names_a_contract_and_a_service(rule: PolicyRule) -> None:
    assert rule.event in MODELS_BY_NAME, f"{rule.event} is not a registered event"
    assert rule.recipient in SERVICES_BY_NAME, f"{rule.recipient} is not a service"
    if rule.major is not None:
        assert rule.major in [m.major for m in MODELS_BY_NAME[rule.event]]


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.special_category_from], ids=lambda r: f"{r.event}->{r.recipient}"
)
def test_special_category_producers_are_producers_of_the_event(rule: PolicyRule) -> None:
    producers = {p for m in MODELS_BY_NAME[rule.event] for p in m.producers}
    for producer in rule.special_category_from:
        assert producer == ALL_FIELDS or producer in producers, f"{producer} never sends it"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.event}->{r.recipient}")
def test_every_visible_field_exists(rule: PolicyRule) -> None:
    for model in MODELS_BY_NAME[rule.event]:
        if rule.major not in (None, model.major):
            continue
        schema = model.model_json_schema()
        for path in rule.fields:
            if path != ALL_FIELDS:
                assert _path_exists(schema, schema, path.split(".")), (
                    f"{path} is not a field of {model.cloudevent_type()}"
                )


def test_no_rule_repeats_an_event_recipient_and_purpose() -> None:
    seen: set[tuple[str, str, str]] = set()
    for rule in RULES:
        for purpose in rule.purposes:
            key = (rule.event, rule.recipient, purpose.value)
            assert key not in seen, key
            seen.add(key)


def test_consent_is_accepted_only_where_the_service_is_consensual() -> None:
    consensual = {
        "child-concern-raised",  # early-help-level requests made with the family
        "referral-to-early-help",
        "step-down-requested",
        "early-help-episode-opened",
        "early-help-episode-closed",
    }
    with_consent = {r.event for r in RULES if LawfulBasis.CONSENT in r.lawful_bases}
    assert with_consent <= consensual


@pytest.mark.parametrize("event_name", RECORDS_MANAGEMENT)
def test_records_management_and_audit_reach_every_holder(event_name: str) -> None:
    holders = {r.recipient for r in RULES if r.event not in RECORDS_MANAGEMENT} | {
        p
        for m in catalogue().values()
        if m.event_name not in RECORDS_MANAGEMENT
        for p in m.producers
    }
    assert set(POLICY.recipients(event_name)) >= holders


def _path_exists(root: dict[str, Any], node: dict[str, Any], parts: list[str]) -> bool:
    if not parts:
        return True
    head, rest = parts[0], parts[1:]
    key = head.removesuffix("[]")
    for variant in _variants(root, node):
        prop = variant.get("properties", {}).get(key)
        if prop is None:
            continue
        if head.endswith("[]"):
            items = [v.get("items") for v in _variants(root, prop) if v.get("type") == "array"]
            if any(_path_exists(root, i, rest) for i in items if isinstance(i, dict)):
                return True
        elif _path_exists(root, prop, rest):
            return True
    return False


def _variants(root: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    if "$ref" in node:
        return _variants(root, root["$defs"][node["$ref"].rsplit("/", 1)[1]])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return [v for sub in node[key] for v in _variants(root, sub)]
    return [node]


def test_the_path_checker_finds_and_misses_paths() -> None:
    schema = REGISTRY["uk.childrenshub.enquiry-answered.v1"].model_json_schema()
    assert _path_exists(schema, schema, ["answer", "facts[]", "summary"])
    assert _path_exists(schema, schema, ["answer", "reason"])
    assert not _path_exists(schema, schema, ["answer", "facts", "summary"])
    assert not _path_exists(schema, schema, ["answer", "colour"])


@pytest.mark.parametrize(
    ("visible", "withheld"),
    [
        (("household",), ["child.name"]),
        (("household[].name",), ["child.name", "household[].dob"]),
        (("child", "household[].dob"), ["household[].name"]),
        (("*",), []),
    ],
)
def test_withheld_paths_follow_the_visible_fields_into_lists(
    visible: tuple[str, ...], withheld: list[str]
) -> None:
    data = {"child": {"name": "A"}, "household": [{"name": "B", "dob": "2001-01-01"}]}
    assert withheld_paths(data, visible) == withheld
    shown = minimise(data, visible)
    for path in withheld:  # what is reported withheld is really absent
        head, _, leaf = path.partition(".")
        container = shown.get(head.removesuffix("[]"))
        items = container if isinstance(container, list) else [container or {}]
        assert all(leaf not in item for item in items)
