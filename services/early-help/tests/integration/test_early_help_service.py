"""Early help on the real broker and database.

Episodes are opened, stepped up and closed through the agency API and
published; referrals from the hub and step-down requests from social care
arrive as events and are allocated to episodes; bad input is refused with a
reason; consent withdrawal reaches the referrals shared under it; the hub's
enquiries are answered from the episodes.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from early_help.bootstrap import SERVICE, build_app
from fastapi.testclient import TestClient
from hub_agency.basis import agency_basis
from hub_agency.clients import demo_token
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency, ContactOutcome, PrimaryNeed, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent, EventPayload
from hub_contracts.events import (
    ChildAsStated,
    ChildIdentifiers,
    ConsentGiver,
    ConsentMethod,
    ConsentRecorded,
    ConsentScope,
    ConsentWithdrawn,
    ContactDecided,
    EarlyHelpEpisodeOpened,
    EnquiryAnswered,
    EnquiryRequested,
    HouseholdMember,
    InformationHeld,
    PurgeReason,
    RecordPurged,
    ReferralToEarlyHelp,
    Relationship,
    StepDownRequested,
    StepUpRequested,
)
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition
from hub_service.app import ServiceRuntime
from hub_service.settings import ServiceSettings
from hub_testing.bus import in_app, produce_raw, read_topic, running_service, until, wait_for

pytestmark = pytest.mark.integration

LEO: dict[str, Any] = {
    "agency_person_id": "EH-P-808-0001",
    "given_name": "Leo",
    "family_name": "Carter",
    "date_of_birth": "2019-11-02",
    "sex": "male",
    "nhs_number": "9434770009",
    "upn": "D808200100033",
    "address": {"lines": ["27 Green Street", "Norton"], "postcode": "TS20 1AB"},
}
MOTHER: dict[str, Any] = {
    "given_name": "Dana",
    "family_name": "Carter",
    "relationship_to_child": "mother",
    "lives_with_child": True,
}
NOW = datetime.now(UTC).replace(microsecond=0)


def _service(kafka: str, mongo: str, *tenants: str) -> AbstractContextManager[TestClient]:
    settings = ServiceSettings.for_service(
        SERVICE, kafka_bootstrap=kafka, mongo_uri=mongo, tenants=tenants
    )
    return running_service(build_app(settings))


def _runtime(client: TestClient) -> ServiceRuntime:
    runtime: ServiceRuntime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _add_teams(client: TestClient, tenant: str) -> None:
    async def add() -> None:
        await (
            _runtime(client)
            .database(tenant)["teams"]
            .insert_many(
                [
                    {"_id": "stockton-north", "name": "Stockton North Family Hub"},
                    {"_id": "stockton-south", "name": "Stockton South Family Hub"},
                ]
            )
        )

    in_app(client, add)


def _auth(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(tenant, SERVICE)}"}


def _episode(record_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": record_id,
        "child": LEO,
        "household": [MOTHER],
        "lead_professional_role": "family support worker",
        "team": "stockton-north",
        "primary_need": "N3",
        "opened_at": (NOW - timedelta(days=10)).isoformat(),
    }
    body.update(overrides)
    return body


def _closure(record_id: str, episode_id: str) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "episode_id": episode_id,
        "closure_reason": "outcomes-achieved",
        "summary": "Routines settled at home.",
        "closed_by": "role:eh-team-manager",
        "closed_at": NOW.isoformat(),
    }


def _step_up(record_id: str, episode_id: str) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "episode_id": episode_id,
        "reason": "Neglect concerns have escalated despite support.",
        "primary_need": "N1",
        "requested_by": "role:eh-team-manager",
        "requested_at": (NOW - timedelta(days=1)).isoformat(),
    }


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["reason"])


def _event(tenant: str, producer: str, payload: EventPayload, sharing: SharingBasis) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant, producer=producer, subject="hub-child-1", payload=payload, sharing=sharing
    )


def _publish(client: TestClient, kafka: str, *events: CloudEvent) -> None:
    async def send() -> None:
        for event in events:
            key, value, headers = to_kafka(event)
            await produce_raw(kafka, event.topic, value, headers, key)

    in_app(client, send)


def _referral(tenant: str, referral_id: str, sharing: SharingBasis, **extra: Any) -> CloudEvent:
    return _event(
        tenant,
        "front-door",
        ReferralToEarlyHelp(
            referral_id=referral_id,
            contact_id="C-1",
            referral_source=ReferralSource.SCHOOLS,
            child=ChildAsStated.model_validate({**LEO, "agency_person_id": "HUB-P-1"}),
            reason="The family asked the school for parenting support.",
            rag_rating=RagRating.GREEN,
            referred_by="user:hub-0042",
            referred_at=NOW,
            **extra,
        ),
        sharing,
    )


def test_an_episode_is_opened_stepped_up_and_closed_once(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with _service(kafka_bootstrap, mongo_uri, tenant) as client:
        _add_teams(client, tenant)
        base = f"/v1/{tenant}"
        opened = client.post(f"{base}/episodes", json=_episode("EP-1"), headers=_auth(tenant))
        assert opened.status_code == 201, opened.text
        [opened_event] = opened.json()["events"]
        assert opened_event["type"] == "uk.childrenshub.early-help-episode-opened.v1"
        assert opened_event["shared"] is True

        stepped = client.post(
            f"{base}/step-up-requests", json=_step_up("SU-1", "EP-1"), headers=_auth(tenant)
        )
        assert stepped.status_code == 201, stepped.text
        closed = client.post(
            f"{base}/episode-closures", json=_closure("CL-1", "EP-1"), headers=_auth(tenant)
        )
        assert closed.status_code == 201, closed.text
        twice = client.post(
            f"{base}/episode-closures", json=_closure("CL-2", "EP-1"), headers=_auth(tenant)
        )
        assert _problem(twice, 409) == "episode-not-open"
        late = client.post(
            f"{base}/step-up-requests", json=_step_up("SU-2", "EP-1"), headers=_auth(tenant)
        )
        assert _problem(late, 409) == "episode-not-open"

        closed_list = client.get(f"{base}/episodes?status=closed", headers=_auth(tenant)).json()
        assert [(e["episode_id"], e["status"]) for e in closed_list] == [("EP-1", "closed")]
        assert closed_list[0]["closure_reason"] == "outcomes-achieved"
        assert closed_list[0]["step_up_request_ids"] == ["SU-1"]
        assert client.get(f"{base}/episodes?status=open", headers=_auth(tenant)).json() == []
        assert client.get(f"{base}/episodes/EP-1", headers=_auth(tenant)).json()["via"] == "http"

        def one(event_name: str) -> Any:
            topic = f"{tenant}.early-help.{event_name}.v1"
            [record] = in_app(client, lambda: read_topic(kafka_bootstrap, topic, expect=1))
            return from_kafka(record.value, record.headers)

        opened_on_bus = one("early-help-episode-opened")
        assert opened_on_bus.id == opened_event["id"]
        assert opened_on_bus.subject == "EH-P-808-0001"
        assert opened_on_bus.sharing.lawful_basis is LawfulBasis.PUBLIC_TASK
        assert opened_on_bus.payload().team == "stockton-north"
        closed_on_bus = one("early-help-episode-closed").payload()
        assert (closed_on_bus.episode_id, closed_on_bus.closure_reason.value) == (
            "EP-1",
            "outcomes-achieved",
        )
        step_up: StepUpRequested = one("step-up-requested").payload()
        assert step_up.child == ChildAsStated.model_validate(LEO)
        assert [m.given_name for m in step_up.household] == ["Dana"]
        assert (step_up.request_id, step_up.primary_need) == ("SU-1", PrimaryNeed.N1)


def test_bad_input_is_refused_with_status_and_reason(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    mine, other = f"{unique_name}a", f"{unique_name}b"
    with _service(kafka_bootstrap, mongo_uri, mine, other) as client:
        _add_teams(client, mine)
        url = f"/v1/{mine}/episodes"
        post = client.post
        assert post(url, json=_episode("EP-1"), headers=_auth(mine)).status_code == 201
        again = post(url, json=_episode("EP-1"), headers=_auth(mine))
        assert (again.status_code, again.json()["status"]) == (200, "duplicate")
        changed = _episode("EP-1", team="stockton-south")
        assert _problem(post(url, json=changed, headers=_auth(mine)), 409) == "record-id-conflict"

        unknown_team = _episode("EP-2", team="middlesbrough-east")
        assert _problem(post(url, json=unknown_team, headers=_auth(mine)), 422) == "unknown-team"
        unknown_referral = _episode("EP-3", referral_id="REF-404")
        refused = post(url, json=unknown_referral, headers=_auth(mine))
        assert _problem(refused, 422) == "unknown-referral"
        bad_nhs = _episode("EP-4", child={**LEO, "nhs_number": "9434770008"})
        response = post(url, json=bad_nhs, headers=_auth(mine))
        assert _problem(response, 422) == "invalid-request"
        assert response.json()["errors"][0]["loc"] == ["body", "child", "nhs_number"]
        assert "9434770008" not in response.text
        wrong_tenant = post(f"/v1/{other}/episodes", json=_episode("EP-5"), headers=_auth(mine))
        assert _problem(wrong_tenant, 403) == "tenant-not-permitted"
        no_episode = post(
            f"/v1/{mine}/episode-closures", json=_closure("CL-1", "EP-404"), headers=_auth(mine)
        )
        assert _problem(no_episode, 422) == "unknown-episode"
        no_step_up = post(
            f"/v1/{mine}/step-up-requests", json=_step_up("SU-1", "EP-404"), headers=_auth(mine)
        )
        assert _problem(no_step_up, 422) == "unknown-episode"
        bad_status = client.get(f"/v1/{mine}/episodes?status=paused", headers=_auth(mine))
        assert _problem(bad_status, 422) == "invalid-request"

        listed = client.get(url, headers=_auth(mine)).json()
        assert [e["episode_id"] for e in listed] == ["EP-1"]
        assert client.get(f"/v1/{other}/episodes", headers=_auth(other)).json() == []


def test_referrals_and_step_downs_are_received_and_allocated_to_episodes(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with _service(kafka_bootstrap, mongo_uri, tenant) as client:
        _add_teams(client, tenant)
        step_down = _event(
            tenant,
            "social-care",
            StepDownRequested(
                request_id="SD-1",
                case_id="SC-CASE-7",
                child=ChildAsStated.model_validate({**LEO, "agency_person_id": "SC-P-7"}),
                household=(HouseholdMember.model_validate(MOTHER),),
                reason="Child in need plan ended; parenting support still needed.",
                primary_need=PrimaryNeed.N3,
                requested_by="user:sc-0007",
                requested_at=NOW,
            ),
            agency_basis("social-care", Purpose.REFERRAL),
        )
        referral = _referral(
            tenant, "REF-1", agency_basis("front-door", Purpose.REFERRAL), consent_id="CONS-9"
        )
        decided = _event(
            tenant,
            "front-door",
            ContactDecided(
                contact_id="C-1",
                outcome=ContactOutcome.EH_REFERRAL,
                reason="Needs met by early help.",
                decided_by="user:hub-0001",
                decided_at=NOW,
                family_informed=True,
            ),
            agency_basis("front-door", Purpose.OUTCOME_FEEDBACK),
        )
        _publish(client, kafka_bootstrap, step_down, referral, decided)
        url = f"/v1/{tenant}/referrals"

        def both() -> Any:
            listed = client.get(url, headers=_auth(tenant)).json()
            return listed if len(listed) == 2 else None

        received = {r["referral_id"]: r for r in wait_for(both, what="two referrals")}
        assert received["SD-1"]["status"] == "awaiting-allocation"
        assert received["SD-1"]["sent_by_service"] == "social-care"
        assert received["SD-1"]["sent_by"] == "user:sc-0007"
        assert received["SD-1"]["child"]["agency_person_id"] == "SC-P-7"
        assert received["SD-1"]["reason"].startswith("Child in need plan ended")
        assert received["REF-1"]["sent_by_service"] == "front-door"
        assert received["REF-1"]["consent_id"] == "CONS-9"
        assert received["REF-1"]["origin_reference"] == "C-1"

        opened = client.post(
            f"/v1/{tenant}/episodes",
            json=_episode("EP-1", referral_id="SD-1"),
            headers=_auth(tenant),
        )
        assert opened.status_code == 201, opened.text
        taken = client.post(
            f"/v1/{tenant}/episodes",
            json=_episode("EP-2", referral_id="SD-1"),
            headers=_auth(tenant),
        )
        assert _problem(taken, 409) == "referral-already-accepted"
        accepted = client.get(f"{url}?status=accepted", headers=_auth(tenant)).json()
        assert [(r["referral_id"], r["episode_id"]) for r in accepted] == [("SD-1", "EP-1")]
        waiting = client.get(f"{url}?status=awaiting-allocation", headers=_auth(tenant)).json()
        assert [r["referral_id"] for r in waiting] == ["REF-1"]

        def inbox() -> Any:
            items = client.get(f"/v1/{tenant}/inbox", headers=_auth(tenant)).json()
            return items if len(items) == 3 else None

        names = sorted(i["event_name"] for i in wait_for(inbox, what="three inbox items"))
        assert names == ["contact-decided", "referral-to-early-help", "step-down-requested"]

        opened_on_bus = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.early-help.early-help-episode-opened.v1", expect=1
            ),
        )
        purge = RecordPurged(
            purge_id="PURGE-1",
            record_kinds=("referral",),
            event_ids=(referral.id,),
            reason=PurgeReason.RECORDED_IN_ERROR,
            purged_at=NOW,
            authorised_by="user:hub-0001",
        )
        records = agency_basis("front-door", Purpose.RECORDS_MANAGEMENT)
        _publish(client, kafka_bootstrap, _event(tenant, "front-door", purge, records))

        def purged() -> Any:
            listed = client.get(url, headers=_auth(tenant)).json()
            return listed if len(listed) == 1 else None

        assert [r["referral_id"] for r in wait_for(purged, what="the purge")] == ["SD-1"]
        inbox_after = client.get(f"/v1/{tenant}/inbox", headers=_auth(tenant)).json()
        assert "referral-to-early-help" not in {i["event_name"] for i in inbox_after}

        opened_event = from_kafka(opened_on_bus[0].value, opened_on_bus[0].headers)
        assert EarlyHelpEpisodeOpened.model_validate(opened_event.data).referral_id == "SD-1"


def test_a_withdrawn_consent_removes_the_referral_shared_under_it(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with _service(kafka_bootstrap, mongo_uri, tenant) as client:
        _add_teams(client, tenant)
        mother = ConsentGiver(relationship=Relationship.MOTHER, has_parental_responsibility=True)
        records = agency_basis("front-door", Purpose.RECORDS_MANAGEMENT)
        consent = ConsentRecorded(
            consent_id="CONS-1",
            scope=ConsentScope(
                event_names=("referral-to-early-help",), purposes=(Purpose.REFERRAL,)
            ),
            given_by=mother,
            method=ConsentMethod.WRITTEN,
            given_at=NOW - timedelta(hours=1),
            recorded_by="user:hub-0042",
        )
        _publish(client, kafka_bootstrap, _event(tenant, "front-door", consent, records))
        db = _runtime(client).database(tenant)

        async def consent_known() -> Any:
            return await db["consents"].find_one({"_id": "CONS-1"})

        in_app(client, lambda: until(consent_known, what="the consent"))
        on_consent = SharingBasis(
            lawful_basis=LawfulBasis.CONSENT,
            purpose=Purpose.REFERRAL,
            consent_ref="CONS-1",
            special_category_condition=SpecialCategoryCondition.EXPLICIT_CONSENT,
        )
        _publish(
            client, kafka_bootstrap, _referral(tenant, "REF-C", on_consent, consent_id="CONS-1")
        )
        url = f"/v1/{tenant}/referrals"

        def received() -> Any:
            return client.get(url, headers=_auth(tenant)).json()

        [referral] = wait_for(received, what="the consented referral")
        assert (referral["status"], referral["lawful_basis"]) == (
            "awaiting-allocation",
            "uk-gdpr-6-1-a",
        )

        withdrawal = ConsentWithdrawn(
            consent_id="CONS-1",
            withdrawn_by=mother,
            withdrawn_at=NOW,
            recorded_by="user:hub-0042",
        )
        _publish(client, kafka_bootstrap, _event(tenant, "front-door", withdrawal, records))

        def withdrawn() -> Any:
            [r] = received()
            return r if r["status"] == "consent-withdrawn" else None

        after = wait_for(withdrawn, what="the withdrawal")
        assert "child" not in after
        assert "reason" not in after
        assert after["details_removed"] is True
        inbox = client.get(
            f"/v1/{tenant}/inbox?event_name=referral-to-early-help", headers=_auth(tenant)
        ).json()
        assert inbox == []
        refused = client.post(
            f"/v1/{tenant}/episodes",
            json=_episode("EP-1", referral_id="REF-C"),
            headers=_auth(tenant),
        )
        assert _problem(refused, 409) == "referral-consent-withdrawn"


def test_enquiries_are_answered_from_the_episodes(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with _service(kafka_bootstrap, mongo_uri, tenant) as client:
        _add_teams(client, tenant)
        for body in (_episode("EP-1"), _episode("EP-0", team="stockton-south")):
            assert (
                client.post(f"/v1/{tenant}/episodes", json=body, headers=_auth(tenant)).status_code
                == 201
            )
        closure = _closure("CL-0", "EP-0")
        assert (
            client.post(
                f"/v1/{tenant}/episode-closures", json=closure, headers=_auth(tenant)
            ).status_code
            == 201
        )

        def enquiry(enquiry_id: str, child: ChildIdentifiers) -> CloudEvent:
            return _event(
                tenant,
                "front-door",
                EnquiryRequested(
                    enquiry_id=enquiry_id,
                    contact_id="C-1",
                    target_agency=Agency.EARLY_HELP,
                    child=child,
                    purpose="Is the family known to early help?",
                    rag_rating=RagRating.AMBER,
                    respond_by=NOW + timedelta(hours=24),
                ),
                agency_basis("front-door", Purpose.MULTI_AGENCY_ENQUIRY),
            )

        leo = ChildIdentifiers(given_name="Leo", family_name="Carter", nhs_number="9434770009")
        stranger = ChildIdentifiers(
            given_name="Zara",
            family_name="Stone",
            date_of_birth=datetime(2018, 1, 1).date(),
        )
        _publish(client, kafka_bootstrap, enquiry("E-1", leo), enquiry("E-2", stranger))
        answers = in_app(
            client,
            lambda: read_topic(
                kafka_bootstrap, f"{tenant}.early-help.enquiry-answered.v1", expect=2
            ),
        )
        by_id = {
            a.enquiry_id: a
            for a in (
                EnquiryAnswered.model_validate(from_kafka(r.value, r.headers).data) for r in answers
            )
        }
        assert by_id["E-2"].answer.kind == "nothing-held"
        held = by_id["E-1"]
        assert held.answer.kind == "information-held"
        assert held.answered_by_role == "MASH early help coordinator"
        assert isinstance(held.answer, InformationHeld)
        facts = {f.agency_reference: f for f in held.answer.facts}
        assert set(facts) == {"EP-1", "EP-0"}
        assert facts["EP-1"].kind == "early-help-episode-open"
        assert "team Stockton North Family Hub (stockton-north)" in facts["EP-1"].summary
        assert facts["EP-0"].kind == "early-help-episode-closed"
        assert "(outcomes-achieved)" in facts["EP-0"].summary
        assert "Routines settled" not in facts["EP-0"].summary


def test_a_referral_without_a_special_category_condition_is_dead_lettered(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    with _service(kafka_bootstrap, mongo_uri, tenant) as client:
        _add_teams(client, tenant)
        bare = SharingBasis(lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.REFERRAL)
        refused = _referral(tenant, "REF-BARE", bare)
        accepted = _referral(tenant, "REF-OK", agency_basis("front-door", Purpose.REFERRAL))
        _publish(client, kafka_bootstrap, refused, accepted)

        def the_accepted_one() -> Any:
            listed = client.get(f"/v1/{tenant}/referrals", headers=_auth(tenant)).json()
            return listed if listed else None

        listed = wait_for(the_accepted_one, what="the referral with a condition")
        dead = in_app(client, lambda: read_topic(kafka_bootstrap, f"{refused.topic}.dlq", expect=1))
        assert [r["referral_id"] for r in listed] == ["REF-OK"]
        [letter] = dead
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers["dlq_reason"] == "special-category-condition-missing"
        assert headers["dlq_recipient"] == "early-help"
        assert headers["ce_id"] == refused.id
        # the recipient keeps the envelope, never the data it may not hold
        assert headers["dlq_payload"] == "withheld-by-policy"
        assert letter.value == b""
