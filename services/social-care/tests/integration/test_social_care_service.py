"""The social-care service on the real broker and database.

Status changes open and close a child's statuses and publish them (once per
purpose the policy shares them for) with the authority's numbers; bad input
is refused with machine-readable reasons; what the hub and health send is
kept and readable; enquiries are answered from statuses and open referrals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from hub_agency.basis import agency_basis
from hub_agency.clients import demo_token
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, CategoryOfAbuse, PrimaryNeed, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent, EventPayload
from hub_contracts.events import (
    CareSetting,
    ChildAsStated,
    ChildIdentifiers,
    ContactReceived,
    EnquiryAnswered,
    EnquiryRequested,
    InformationHeld,
    RecordAccessed,
    ReferralToSocialCare,
    ResponsibleAuthority,
    SocialCareStatusChanged,
    StatusKind,
    StepUpRequested,
    StrategyDiscussionRequested,
)
from hub_contracts.events.casework import StepDownRequested
from hub_contracts.sharing import Purpose
from hub_service.app import ServiceRuntime
from hub_service.settings import ServiceSettings
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, wait_for
from social_care.bootstrap import SERVICE, build_app

pytestmark = pytest.mark.integration

OLIVER = {
    "agency_person_id": "SC-P-808-0002",
    "given_name": "Oliver",
    "family_name": "Brown",
    "date_of_birth": "2012-07-15",
    "sex": "male",
    "nhs_number": "9434760003",
    "upn": "B808200100022",
}
CONTACTS = {
    "authority": "Stockton-on-Tees Borough Council",
    "la_code": "808",
    "daytime_phone": "01632 960201",
    "out_of_hours_phone": "01632 960202",
}


def _app(kafka: str, mongo: str, tenants: tuple[str, ...]) -> FastAPI:
    settings = ServiceSettings.for_service(
        SERVICE, kafka_bootstrap=kafka, mongo_uri=mongo, tenants=tenants
    )
    return build_app(settings)


def _auth(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(tenant, SERVICE)}"}


def _load_contacts(client: Any, tenants: tuple[str, ...]) -> None:
    async def load() -> None:
        runtime: ServiceRuntime = client.app.state.runtime
        for tenant in tenants:
            await runtime.database(tenant)["authority_contacts"].insert_one(
                {"_id": tenant, **CONTACTS}
            )

    in_app(client, load)


def _change(record_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": record_id,
        "case_id": "SC-CASE-1",
        "child": dict(OLIVER),
        "status_kind": "child-protection-plan",
        "change": "started",
        "started_on": "2026-11-09",
        "category_of_abuse": "Neglect",
    }
    body.update(overrides)
    return body


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["reason"])


def _published(kafka: str, client: Any, topic: str, expect: int) -> list[CloudEvent]:
    records = in_app(client, lambda: read_topic(kafka, topic, expect=expect))
    return [from_kafka(r.value, r.headers) for r in records]


def test_status_changes_are_published_with_the_authoritys_numbers(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant, other = f"{unique_name}a", f"{unique_name}b"
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant, other))) as client:
        _load_contacts(client, (tenant, other))
        url = f"/v1/{tenant}/status-changes"
        started = client.post(url, json=_change("CHG-1"), headers=_auth(tenant))
        assert started.status_code == 201, started.text
        assert [e["shared"] for e in started.json()["events"]] == [True]

        again = client.post(url, json=_change("CHG-1"), headers=_auth(tenant))
        assert (again.status_code, again.json()["status"]) == (200, "duplicate")
        changed = _change("CHG-1", category_of_abuse="Physical Abuse")
        assert _problem(client.post(url, json=changed, headers=_auth(tenant)), 409) == (
            "record-id-conflict"
        )
        twice = client.post(url, json=_change("CHG-2"), headers=_auth(tenant))
        assert _problem(twice, 409) == "status-already-open"

        statuses = client.get(
            f"/v1/{tenant}/children/SC-P-808-0002/statuses", headers=_auth(tenant)
        )
        assert statuses.status_code == 200
        assert [(s["status_kind"], s["ended_on"]) for s in statuses.json()] == [
            ("child-protection-plan", None)
        ]

        ended = client.post(
            url,
            json=_change("CHG-3", change="ended", ended_on="2026-11-20", category_of_abuse=None),
            headers=_auth(tenant),
        )
        assert ended.status_code == 201, ended.text
        not_open = client.post(
            url,
            json=_change("CHG-4", change="ended", ended_on="2026-11-21"),
            headers=_auth(tenant),
        )
        assert _problem(not_open, 409) == "status-not-open"
        assert (
            client.get(
                f"/v1/{tenant}/children/SC-P-808-0002/statuses", headers=_auth(tenant)
            ).json()
            == []
        )

        no_category = client.post(
            url, json=_change("CHG-5", category_of_abuse=None), headers=_auth(tenant)
        )
        assert _problem(no_category, 422) == "invalid-request"
        assert "category_of_abuse" in no_category.json()["detail"]
        bad_nhs = _change("CHG-6")
        bad_nhs["child"]["nhs_number"] = "9434760004"
        refused = client.post(url, json=bad_nhs, headers=_auth(tenant))
        assert _problem(refused, 422) == "invalid-request"
        assert refused.json()["errors"][0]["loc"] == ["body", "child", "nhs_number"]
        assert "9434760004" not in refused.text
        wrong_tenant = client.post(
            f"/v1/{other}/status-changes", json=_change("CHG-7"), headers=_auth(tenant)
        )
        assert _problem(wrong_tenant, 403) == "tenant-not-permitted"
        unknown_child = client.get(f"/v1/{tenant}/children/SC-P-X/statuses", headers=_auth(tenant))
        assert _problem(unknown_child, 404) == "child-not-found"

        events = _published(
            kafka_bootstrap, client, f"{tenant}.social-care.social-care-status-changed.v1", 2
        )
        assert len(events) == 2  # one event per change serves health's flag and the hub
        assert {e.subject for e in events} == {"SC-P-808-0002"}
        assert len({e.id for e in events}) == 2
        by_change: dict[str, set[Purpose]] = {}
        for event in events:
            payload = event.payload()
            assert isinstance(payload, SocialCareStatusChanged)
            assert payload.child_nhs_number == "9434760003"
            assert payload.category_of_abuse is CategoryOfAbuse.NEGLECT
            assert payload.responsible_authority == ResponsibleAuthority(
                name="Stockton-on-Tees Borough Council",
                la_code="808",
                in_hours_phone="01632 960201",
                out_of_hours_phone="01632 960202",
            )
            by_change.setdefault(payload.change, set()).add(event.sharing.purpose)
            if payload.change == "ended":
                assert payload.ended_on == date(2026, 11, 20)
        flag = {Purpose.UNSCHEDULED_CARE_FLAG}
        assert by_change == {"started": flag, "ended": flag}


def test_step_down_requests_are_published_for_early_help(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        body = {
            "record_id": "SD-1",
            "case_id": "SC-CASE-1",
            "child": OLIVER,
            "reason": "Plan ended; the family still needs support with routines.",
            "primary_need": "N3",
            "closure_reason": "RC9",
            "requested_by": "user:sw-0042",
            "requested_at": "2026-11-20T10:00:00Z",
        }
        response = client.post(f"/v1/{tenant}/step-down-requests", json=body, headers=_auth(tenant))
        assert response.status_code == 201, response.text
        [event] = _published(
            kafka_bootstrap, client, f"{tenant}.social-care.step-down-requested.v1", 1
        )
        payload = event.payload()
        assert isinstance(payload, StepDownRequested)
        assert (payload.request_id, payload.case_id) == ("SD-1", "SC-CASE-1")
        assert event.sharing.purpose is Purpose.REFERRAL


def _child(**overrides: Any) -> ChildAsStated:
    values: dict[str, Any] = {
        "agency_person_id": "HUB-P-7",
        "given_name": "Jack",
        "family_name": "Wilson",
        "date_of_birth": date(2010, 1, 9),
        "nhs_number": "9434790018",
    }
    values.update(overrides)
    return ChildAsStated.model_validate(values)


def _event(tenant: str, producer: str, payload: EventPayload, purpose: Purpose) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant,
        producer=producer,
        subject="hub-child-1",
        payload=payload,
        sharing=agency_basis(producer, purpose),
    )


def _send(kafka: str, client: Any, events: list[CloudEvent]) -> None:
    async def send() -> None:
        for event in events:
            key, value, headers = to_kafka(event)
            await produce_raw(kafka, event.topic, value, headers, key)

    in_app(client, send)


def _listed(client: Any, url: str, tenant: str, expect: int) -> list[dict[str, Any]]:
    """The list at ``url`` once it holds ``expect`` items."""
    items: list[dict[str, Any]] = wait_for(
        lambda: client.get(url, headers=_auth(tenant)).json(),
        done=lambda found: len(found) >= expect,
        what=url,
    )
    return items


def test_what_the_hub_and_health_send_is_kept_and_readable(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    now = datetime.now(UTC)
    authority = ResponsibleAuthority(
        name="Stockton-on-Tees Borough Council",
        la_code="808",
        in_hours_phone="01632 960201",
        out_of_hours_phone="01632 960202",
    )

    def accessed(access_id: str, nhs: str, minutes_ago: int) -> CloudEvent:
        payload = RecordAccessed(
            access_id=access_id,
            child_nhs_number=nhs,
            status_kind=StatusKind.CHILD_PROTECTION_PLAN,
            care_setting=CareSetting.EMERGENCY_DEPARTMENT,
            organisation_name="University Hospital of North Tees",
            ods_code="RVW",
            accessed_at=now - timedelta(minutes=minutes_ago),
            responsible_authority=authority,
        )
        return _event(tenant, "health-feed", payload, Purpose.UNSCHEDULED_CARE_FLAG)

    referral = ReferralToSocialCare(
        referral_id="REF-1",
        contact_id="C-1",
        referral_source=ReferralSource.POLICE,
        child=_child(),
        reason="Repeated police protection; needs assessment.",
        rag_rating=RagRating.AMBER,
        referred_by="user:hub-0042",
        referred_at=now,
        primary_need=PrimaryNeed.N1,
    )
    step_up = StepUpRequested(
        request_id="SU-1",
        episode_id="EH-E-1",
        child=_child(
            agency_person_id="EH-P-1",
            given_name="Leo",
            family_name="Carter",
            date_of_birth=date(2019, 11, 2),
            nhs_number="9434770009",
        ),
        reason="Needs have escalated.",
        primary_need=PrimaryNeed.N2,
        requested_by="user:eh-0001",
        requested_at=now,
    )
    strategy = StrategyDiscussionRequested(
        request_id="SD-REQ-1",
        contact_id="C-2",
        child=_child(),
        reason="Disclosure of physical harm.",
        suspected_category=CategoryOfAbuse.PHYSICAL,
        primary_need=PrimaryNeed.N1,
        agencies_invited=(Agency.POLICE, Agency.HEALTH),
        hold_by=now + timedelta(days=1),
        requested_by="user:hub-0042",
        requested_at=now,
    )
    contact = ContactReceived(
        contact_id="C-1",
        received_at=now,
        referral_source=ReferralSource.POLICE,
        origin_event_id="E-9",
        concern_summary="Police protection used overnight.",
        child=_child(),
    )
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        _send(
            kafka_bootstrap,
            client,
            [
                accessed("ACC-1", "9434760003", 30),
                accessed("ACC-2", "9434760003", 5),
                accessed("ACC-3", "9434790018", 10),
                _event(tenant, "front-door", referral, Purpose.REFERRAL),
                _event(tenant, "early-help", step_up, Purpose.REFERRAL),
                _event(tenant, "front-door", strategy, Purpose.REFERRAL),
                _event(tenant, "front-door", contact, Purpose.OUTCOME_FEEDBACK),
            ],
        )
        base = f"/v1/{tenant}"
        notices = _listed(client, f"{base}/access-notifications", tenant, 3)
        assert [n["access_id"] for n in notices] == ["ACC-2", "ACC-3", "ACC-1"]
        assert notices[0]["data"]["organisation_name"] == "University Hospital of North Tees"
        assert notices[0]["producer"] == "health-feed"
        olivers = client.get(
            f"{base}/access-notifications",
            params={"nhs_number": "9434760003"},
            headers=_auth(tenant),
        ).json()
        assert [n["access_id"] for n in olivers] == ["ACC-2", "ACC-1"]
        bad_filter = client.get(
            f"{base}/access-notifications", params={"nhs_number": "94"}, headers=_auth(tenant)
        )
        assert _problem(bad_filter, 422) == "invalid-request"

        referrals = _listed(client, f"{base}/referrals", tenant, 2)
        assert {(r["referral_id"], r["kind"], r["status"]) for r in referrals} == {
            ("REF-1", "referral", "awaiting-decision"),
            ("SU-1", "step-up", "awaiting-decision"),
        }
        from_hub = next(r for r in referrals if r["referral_id"] == "REF-1")
        assert from_hub["producer"] == "front-door"
        assert from_hub["data"]["primary_need"] == "N1"
        [discussion] = _listed(client, f"{base}/strategy-discussions", tenant, 1)
        assert discussion["request_id"] == "SD-REQ-1"
        assert discussion["data"]["suspected_category"] == "Physical Abuse"
        [notice] = _listed(client, f"{base}/inbox?event_name=contact-received", tenant, 1)
        assert notice["data"]["contact_id"] == "C-1"
        assert "concern_summary" in notice["withheld_fields"]  # ids only, for feedback

        anonymous = client.get(f"/v1/{tenant}/referrals")
        assert _problem(anonymous, 401) == "unauthenticated"


def test_enquiries_are_answered_from_statuses_and_open_referrals(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    now = datetime.now(UTC)
    with running_service(_app(kafka_bootstrap, mongo_uri, (tenant,))) as client:
        _load_contacts(client, (tenant,))
        assert (
            client.post(
                f"/v1/{tenant}/status-changes", json=_change("CHG-1"), headers=_auth(tenant)
            ).status_code
            == 201
        )
        referral = ReferralToSocialCare(
            referral_id="REF-1",
            contact_id="C-1",
            referral_source=ReferralSource.POLICE,
            child=_child(),
            reason="Repeated police protection; needs assessment.",
            rag_rating=RagRating.AMBER,
            referred_by="user:hub-0042",
            referred_at=now,
            primary_need=PrimaryNeed.N1,
        )
        _send(kafka_bootstrap, client, [_event(tenant, "front-door", referral, Purpose.REFERRAL)])
        _listed(client, f"/v1/{tenant}/referrals", tenant, 1)

        def enquiry(enquiry_id: str, child: ChildIdentifiers) -> CloudEvent:
            payload = EnquiryRequested(
                enquiry_id=enquiry_id,
                contact_id="C-1",
                target_agency=Agency.SOCIAL_CARE,
                child=child,
                purpose="Known to social care?",
                rag_rating=RagRating.RED,
                respond_by=now + timedelta(hours=4),
            )
            return _event(tenant, "front-door", payload, Purpose.MULTI_AGENCY_ENQUIRY)

        _send(
            kafka_bootstrap,
            client,
            [
                enquiry(
                    "E-OLIVER",
                    ChildIdentifiers(
                        given_name="Oliver",
                        family_name="Brown",
                        date_of_birth=date(2012, 7, 15),
                        nhs_number="9434760003",
                    ),
                ),
                enquiry(
                    "E-JACK",
                    ChildIdentifiers(
                        given_name="Jack", family_name="Wilson", date_of_birth=date(2010, 1, 9)
                    ),
                ),
                enquiry(
                    "E-NOBODY",
                    ChildIdentifiers(
                        given_name="Isla", family_name="Reed", date_of_birth=date(2015, 5, 20)
                    ),
                ),
            ],
        )
        published = _published(
            kafka_bootstrap, client, f"{tenant}.social-care.enquiry-answered.v1", 3
        )
        answers = {
            a.enquiry_id: a for a in (EnquiryAnswered.model_validate(e.data) for e in published)
        }
        assert set(answers) == {"E-OLIVER", "E-JACK", "E-NOBODY"}
        oliver = answers["E-OLIVER"].answer
        assert isinstance(oliver, InformationHeld)
        [fact] = oliver.facts
        assert fact.summary == "Current child protection plan since 2026-11-09."
        assert fact.agency_reference == "SC-CASE-1"
        assert "eglect" not in fact.model_dump_json()
        jack = answers["E-JACK"].answer
        assert isinstance(jack, InformationHeld)
        assert [(f.kind, f.agency_reference) for f in jack.facts] == [("open-referral", "REF-1")]
        assert answers["E-NOBODY"].answer.kind == "nothing-held"
        assert {a.answered_by_role for a in answers.values()} == {"MASH social worker"}
