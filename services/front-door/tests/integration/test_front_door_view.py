"""The joined-up view of a child on the real broker and database.

Agencies' events (a concern, enquiry answers, a social care status change,
early help episodes, consents, a purge) are produced as the agencies would;
the view shows each fact with its agency, time and sharing basis.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from front_door.bootstrap import build_app
from hub_contracts.binding import to_kafka
from hub_contracts.codes import Agency, CategoryOfAbuse, PrimaryNeed, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent, EventPayload
from hub_contracts.events import (
    AgencyReference,
    ChildAsStated,
    ChildConcernRaisedV2,
    ConsentGiver,
    ConsentRecorded,
    ConsentWithdrawn,
    EarlyHelpEpisodeOpened,
    EnquiryAnswered,
    FactHeld,
    HouseholdMember,
    InformationHeld,
    NotShared,
    RecordPurged,
    Relationship,
    ResponsibleAuthority,
    SocialCareStatusChanged,
    StatusKind,
    StepUpRequested,
)
from hub_contracts.events.records import ConsentMethod, ConsentScope, PurgeReason
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition
from hub_service import ServiceSettings
from hub_service.clock import FixedClock
from hub_service.staff import Role, issue_token
from hub_testing.bus import in_app, produce_raw, running_service, wait_for

pytestmark = pytest.mark.integration
TUESDAY_9AM = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
NHS = "9434765919"
OTHER_NHS = "9434765927"
PUBLIC_TASK_ENQUIRY = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK,
    purpose=Purpose.MULTI_AGENCY_ENQUIRY,
    special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
)
POLICE_SCREENING = SharingBasis(
    lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
)
RECORDS = SharingBasis(lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.RECORDS_MANAGEMENT)
STOCKTON = ResponsibleAuthority(
    name="Stockton-on-Tees Borough Council",
    la_code="808",
    in_hours_phone="01642 130080",
    out_of_hours_phone="01642 524552",
)
MOTHER = HouseholdMember(
    given_name="Kerry",
    family_name="Hart",
    date_of_birth=date(1990, 5, 2),
    relationship_to_child=Relationship.MOTHER,
    lives_with_child=True,
)


def _staff(tenant: str, *roles: Role, user: str = "u-practitioner-1") -> dict[str, str]:
    token = issue_token(user, set(roles) or {Role.PRACTITIONER}, {tenant})
    return {"Authorization": f"Bearer {token}", "X-Hub-Purpose": "screening a contact"}


def _send(client: TestClient, bootstrap: str, event: CloudEvent) -> None:
    key, value, headers = to_kafka(event)
    in_app(client, lambda: produce_raw(bootstrap, event.topic, value, headers, key))


def _event(
    tenant: str, producer: str, subject: str, payload: EventPayload, sharing: SharingBasis
) -> CloudEvent:
    return CloudEvent.new(
        tenant=tenant, producer=producer, subject=subject, payload=payload, sharing=sharing
    )


def _concern(
    tenant: str,
    *,
    producer: str = "police-feed",
    agency: Agency = Agency.POLICE,
    child_id: str = "CLV-P-1",
    nhs: str = NHS,
    summary: str = "Child present at a domestic incident.",
    household: tuple[HouseholdMember, ...] = (MOTHER,),
    sharing: SharingBasis = POLICE_SCREENING,
) -> CloudEvent:
    return _event(
        tenant,
        producer,
        child_id,
        ChildConcernRaisedV2(
            agency_reference=AgencyReference(agency=agency, reference=f"REF-{child_id}"),
            referral_source=ReferralSource.POLICE
            if agency is Agency.POLICE
            else ReferralSource.LA_EARLY_HELP,
            rag_rating=RagRating.AMBER,
            concern_summary=summary,
            child=ChildAsStated(
                agency_person_id=child_id,
                given_name="Amelia",
                family_name="Hart",
                date_of_birth=date(2016, 3, 1),
                nhs_number=nhs,
            ),
            household=household,
            occurred_at=TUESDAY_9AM - timedelta(hours=2),
        ),
        sharing,
    )


def _answer(
    tenant: str,
    enquiry_id: str,
    agency: Agency,
    producer: str,
    answer: Any,
    sharing: SharingBasis = PUBLIC_TASK_ENQUIRY,
) -> CloudEvent:
    return _event(
        tenant,
        producer,
        "agency-subject",
        EnquiryAnswered(
            enquiry_id=enquiry_id,
            answering_agency=agency,
            answer=answer,
            answered_by="user:agency-1",
            answered_by_role="MASH researcher",
            answered_at=TUESDAY_9AM,
        ),
        sharing,
    )


def _held(*facts: tuple[str, str, datetime | None, str]) -> InformationHeld:
    return InformationHeld(
        kind="information-held",
        facts=tuple(
            FactHeld(kind=k, summary=s, occurred_at=at, agency_reference=ref)
            for k, s, at, ref in facts
        ),
    )


def _contacts(client: TestClient, tenant: str, expect: int) -> list[dict[str, Any]]:
    def fetch() -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = client.get(
            f"/v1/{tenant}/contacts", headers=_staff(tenant)
        ).json()
        return items if len(items) >= expect else None

    return wait_for(fetch, what=f"{expect} contacts")


def _view(client: TestClient, tenant: str, person_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/{tenant}/persons/{person_id}/view", headers=_staff(tenant))
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


def _kinds(view: dict[str, Any]) -> list[str]:
    return [e["kind"] for e in view["timeline"]]


def _settings(kafka_bootstrap: str, mongo_uri: str, *tenants: str) -> ServiceSettings:
    return ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=tenants
    )


def test_the_view_joins_every_agency_with_provenance_statuses_and_household(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant, other = unique_name, f"{unique_name}x"
    clock = FixedClock(TUESDAY_9AM)
    app = build_app(_settings(kafka_bootstrap, mongo_uri, tenant, other), clock)
    with running_service(app) as client:
        _send(client, kafka_bootstrap, _concern(tenant))
        [contact] = _contacts(client, tenant, 1)
        contact_id = contact["contact_id"]
        rated = client.post(
            f"/v1/{tenant}/contacts/{contact_id}/rating",
            json={"rag_rating": "red", "rationale": "Child present; repeat incidents."},
            headers=_staff(tenant),
        )
        assert rated.status_code == 200, rated.text
        enquiry = {
            agency.value: next(e for e in rated.json()["enquiries"] if e.endswith(agency.value))
            for agency in Agency
            if agency is not Agency.HUB
        }
        two_months_ago = TUESDAY_9AM - timedelta(days=60)
        two_years_ago = TUESDAY_9AM - timedelta(days=730)
        answers = [
            _answer(
                tenant,
                enquiry["police"],
                Agency.POLICE,
                "police-feed",
                _held(
                    ("domestic-abuse", "Domestic abuse incident.", two_months_ago, "INC-7"),
                    ("missing-episode", "Missing overnight.", two_years_ago, "INC-3"),
                ),
                SharingBasis(
                    lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.MULTI_AGENCY_ENQUIRY
                ),
            ),
            _answer(
                tenant,
                enquiry["health"],
                Agency.HEALTH,
                "health-feed",
                _held(("a-and-e-attendance", "Attended an ED.", two_months_ago, "ATT-1")),
                SharingBasis(
                    lawful_basis=LawfulBasis.PUBLIC_TASK,
                    purpose=Purpose.MULTI_AGENCY_ENQUIRY,
                    special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
                    override_reason="Risk of significant harm; parents not asked.",
                    authorised_by="user:named-nurse-3",
                ),
            ),
            _answer(
                tenant,
                enquiry["education"],
                Agency.EDUCATION,
                "education",
                _held(("sen-provision", "Education, Health and Care plan.", None, "PUP-1")),
            ),
            _answer(
                tenant,
                enquiry["early-help"],
                Agency.EARLY_HELP,
                "early-help",
                _held(("early-help-episode-open", "Early help episode open.", None, "EP-1")),
            ),
        ]
        for answer in answers:
            _send(client, kafka_bootstrap, answer)
        person_id = client.get(
            f"/v1/{tenant}/contacts/{contact_id}", headers=_staff(tenant)
        ).json()["person_id"]
        wait_for(
            lambda: len(_kinds(_view(client, tenant, person_id))) >= 7,
            what="the answers' facts",
        )

        clock.advance(timedelta(hours=5))  # past the red window: social care answers late
        late = _answer(
            tenant,
            enquiry["social-care"],
            Agency.SOCIAL_CARE,
            "social-care",
            NotShared(
                kind="not-shared",
                reason="Would prejudice a section 47 enquiry.",
                decided_by="user:sc-team-manager",
            ),
        )
        status = _event(
            tenant,
            "social-care",
            "SC-77",
            SocialCareStatusChanged(
                change_id="CH-1",
                case_id="CASE-77",
                status_kind=StatusKind.CHILD_PROTECTION_PLAN,
                change="started",
                started_on=date(2026, 10, 1),
                category_of_abuse=CategoryOfAbuse.NEGLECT,
                child_nhs_number=NHS,
                child=ChildAsStated(
                    agency_person_id="SC-77", given_name="Amelia", family_name="Hart"
                ),
                responsible_authority=STOCKTON,
            ),
            SharingBasis(
                lawful_basis=LawfulBasis.PUBLIC_TASK,
                purpose=Purpose.SAFEGUARDING_SCREENING,
                special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
            ),
        )
        referral = SharingBasis(lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.REFERRAL)
        episode = _event(
            tenant,
            "early-help",
            "EH-C-1",
            EarlyHelpEpisodeOpened(
                episode_id="EP-1",
                child=ChildAsStated(agency_person_id="EH-C-1", given_name="A", family_name="H"),
                lead_professional_role="family support worker",
                team="EH-NORTH",
                opened_at=TUESDAY_9AM - timedelta(days=20),
            ),
            referral,
        )
        stranger = _event(
            tenant,
            "early-help",
            "EH-C-404",
            EarlyHelpEpisodeOpened(
                episode_id="EP-404",
                child=ChildAsStated(agency_person_id="EH-C-404", given_name="B", family_name="K"),
                lead_professional_role="family support worker",
                team="EH-SOUTH",
                opened_at=TUESDAY_9AM,
            ),
            referral,
        )
        # early help steps the same case up, keyed by its episode: nobody re-keys the child
        step_up = _event(
            tenant,
            "early-help",
            "EH-C-1",
            StepUpRequested(
                request_id="SU-1",
                episode_id="EP-1",
                child=ChildAsStated(agency_person_id="EH-C-1", given_name="A", family_name="H"),
                household=(),
                reason="Neglect has escalated despite support.",
                primary_need=PrimaryNeed.N2,
                requested_by="role:eh-team-manager",
                requested_at=TUESDAY_9AM - timedelta(days=1),
            ),
            referral,
        )
        for event in (late, status, episode, stranger, step_up):
            _send(client, kafka_bootstrap, event)

        def complete() -> dict[str, Any] | None:
            view = _view(client, tenant, person_id)
            kinds = _kinds(view)
            wanted = {
                "not-shared",
                "social-care-status-changed",
                "early-help-episode-opened",
                "step-up-requested",
            }
            return view if wanted <= set(kinds) else None

        view = wait_for(complete, what="status change, episode and late answer")
        by_kind = {e["kind"]: e for e in view["timeline"]}

        # every fact: which agency asserted it, when, and on which basis
        concern = by_kind["concern"]
        assert concern["summary"] == "Child present at a domestic incident."
        assert concern["contact_id"] == contact_id
        assert concern["provenance"]["agency"] == "police"
        assert concern["provenance"]["sharing"]["lawful_basis"] == "dpa-2018-part-3"
        assert concern["provenance"]["asserted_at"]
        health = by_kind["a-and-e-attendance"]["provenance"]
        assert health["agency"] == "health"
        assert health["sharing"]["special_category_condition"] == "dpa-2018-sch1-para18"
        assert health["sharing"]["authorised_by"] == "user:named-nurse-3"
        assert health["asserted_at"] == "2026-11-24T09:00:00Z"
        for entry in view["timeline"]:
            assert entry["provenance"]["agency"], entry
            assert entry["provenance"]["sharing"]["lawful_basis"], entry
        # the late answer still lands, marked late, with the reason it was not shared
        refused = by_kind["not-shared"]
        assert refused["late"] is True
        assert "section 47" in refused["summary"]
        assert "late" not in by_kind["a-and-e-attendance"]
        assert view["answers_by_agency"]["social-care"][0]["late"] is True
        stepped_up = by_kind["step-up-requested"]
        assert stepped_up["provenance"]["agency"] == "early-help"
        assert stepped_up["detail"] == {
            "request_id": "SU-1",
            "episode_id": "EP-1",
            "primary_need": "N2",
        }
        assert "escalated" not in str(stepped_up)  # the hub sees that it happened, not why
        # the hub's own rating is on the timeline too
        assert by_kind["hub-rating"]["provenance"]["agency"] == "hub"

        statuses = view["statuses"]
        assert statuses["early_help"]["open"] is True
        [ep] = statuses["early_help"]["episodes"]
        assert (ep["episode_id"], ep["team"]) == ("EP-1", "EH-NORTH")
        cp = statuses["social_care"]["child-protection-plan"]
        assert cp["current"] is True
        assert cp["category_of_abuse"] == "Neglect"
        assert statuses["education"]["ehcp"] is True
        police = statuses["recent_police_incidents"]
        # the police concern and the incident of two months ago; the 2-year-old one is not
        assert [p["kind"] for p in police] == ["concern", "domestic-abuse"]
        assert [a["kind"] for a in statuses["a_and_e_attendances"]] == ["a-and-e-attendance"]

        [mother] = view["household"]
        assert (mother["given_name"], mother["relationship_to_child"]) == ("Kerry", "mother")
        assert mother["stated_by"][0]["agency"] == "police"

        panel = view["sharing"]
        assert {(b["agency"], b["lawful_basis"]) for b in panel["bases"]} >= {
            ("police", "dpa-2018-part-3"),
            ("health", "uk-gdpr-6-1-e"),
            ("education", "uk-gdpr-6-1-e"),
            ("social-care", "uk-gdpr-6-1-e"),
        }
        [override] = panel["shared_without_consent"]
        assert override["agency"] == "health"
        assert override["override_reason"].startswith("Risk of significant harm")
        assert override["authorised_by"] == "user:named-nurse-3"
        assert panel["not_shared"][0]["decided_by"] == "user:sc-team-manager"

        # an episode nobody can be linked to deterministically is kept, unlinked and visible
        # (its child is another partition key, so it may arrive after the rest)
        def unlinked_facts() -> list[dict[str, Any]] | None:
            facts = client.get(f"/v1/{tenant}/unlinked-facts", headers=_staff(tenant)).json()
            return facts or None

        unlinked = wait_for(unlinked_facts, what="the unlinked episode")
        assert [u["detail"]["episode_id"] for u in unlinked] == ["EP-404"]

        # the contact's view is the same person's view
        by_contact = client.get(f"/v1/{tenant}/contacts/{contact_id}/view", headers=_staff(tenant))
        assert by_contact.json()["person"]["person_id"] == person_id

        # every view is audited and readable by managers and auditors
        log = client.get(
            f"/v1/{tenant}/persons/{person_id}/access-log", headers=_staff(tenant, Role.AUDITOR)
        )
        assert log.status_code == 200, log.text
        views = log.json()["views"]
        assert views[0]["user_id"] == "u-practitioner-1"
        assert views[0]["purpose"] == "screening a contact"
        assert views[0]["contact_id"] == contact_id  # the newest: the contact's view
        assert "joined-up-view" in {v.get("what") for v in views}

        # refusals: role, tenant, unknown person or contact
        url = f"/v1/{tenant}/persons/{person_id}"
        auditor = client.get(f"{url}/view", headers=_staff(tenant, Role.AUDITOR))
        assert (auditor.status_code, auditor.json()["reason"]) == (403, "role-not-permitted")
        practitioner_log = client.get(f"{url}/access-log", headers=_staff(tenant))
        assert practitioner_log.status_code == 403
        assert practitioner_log.json()["reason"] == "role-not-permitted"
        cross = client.get(f"{url}/view", headers=_staff(other))
        assert (cross.status_code, cross.json()["reason"]) == (403, "tenant-not-permitted")
        elsewhere = client.get(f"/v1/{other}/persons/{person_id}/view", headers=_staff(other))
        assert (elsewhere.status_code, elsewhere.json()["reason"]) == (404, "person-not-found")
        unknown = client.get(f"/v1/{tenant}/persons/HP-nobody/view", headers=_staff(tenant))
        assert (unknown.status_code, unknown.json()["reason"]) == (404, "person-not-found")
        no_contact = client.get(f"/v1/{tenant}/contacts/CT-nope/view", headers=_staff(tenant))
        assert (no_contact.status_code, no_contact.json()["reason"]) == (404, "contact-not-found")
        anonymous = client.get(f"{url}/view")
        assert (anonymous.status_code, anonymous.json()["reason"]) == (401, "unauthenticated")


def test_consent_withdrawal_and_purge_remove_only_what_has_no_other_basis(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    app = build_app(_settings(kafka_bootstrap, mongo_uri, tenant), FixedClock(TUESDAY_9AM))
    with running_service(app) as client:
        consent = _event(
            tenant,
            "early-help",
            "EH-C-7",
            ConsentRecorded(
                consent_id="CONS-7",
                scope=ConsentScope(
                    event_names=("child-concern-raised", "early-help-episode-opened"),
                    purposes=(Purpose.SAFEGUARDING_SCREENING, Purpose.REFERRAL),
                    recipients=("front-door",),
                ),
                given_by=ConsentGiver(
                    relationship=Relationship.MOTHER, has_parental_responsibility=True
                ),
                method=ConsentMethod.WRITTEN,
                given_at=TUESDAY_9AM - timedelta(days=3),
                recorded_by="user:eh-0310",
            ),
            RECORDS,
        )
        _send(client, kafka_bootstrap, consent)
        wait_for(
            lambda: client.get(f"/v1/{tenant}/unlinked-facts", headers=_staff(tenant)).json(),
            what="the consent",
        )
        under_consent = SharingBasis(
            lawful_basis=LawfulBasis.CONSENT,
            purpose=Purpose.SAFEGUARDING_SCREENING,
            consent_ref="CONS-7",
        )
        uncle = MOTHER.model_copy(
            update={"given_name": "Rob", "relationship_to_child": Relationship.OTHER_RELATIVE}
        )
        eh_concern = _concern(
            tenant,
            producer="early-help",
            agency=Agency.EARLY_HELP,
            child_id="EH-C-7",
            nhs=OTHER_NHS,
            summary="Family asked for help with the children's routines.",
            household=(uncle,),
            sharing=under_consent,
        )
        police_concern = _concern(tenant, child_id="CLV-P-7", nhs=OTHER_NHS)
        _send(client, kafka_bootstrap, eh_concern)
        _send(client, kafka_bootstrap, police_concern)
        contacts = _contacts(client, tenant, 2)
        by_origin = {c["origin_agency"]: c["contact_id"] for c in contacts}
        person_id = client.get(
            f"/v1/{tenant}/contacts/{by_origin['early-help']}", headers=_staff(tenant)
        ).json()["person_id"]
        episode = _event(
            tenant,
            "early-help",
            "EH-C-7",
            EarlyHelpEpisodeOpened(
                episode_id="EP-7",
                child=ChildAsStated(agency_person_id="EH-C-7", given_name="A", family_name="H"),
                lead_professional_role="family support worker",
                team="EH-NORTH",
                opened_at=TUESDAY_9AM,
            ),
            SharingBasis(
                lawful_basis=LawfulBasis.CONSENT, purpose=Purpose.REFERRAL, consent_ref="CONS-7"
            ),
        )
        _send(client, kafka_bootstrap, episode)

        def everything() -> dict[str, Any] | None:
            view = _view(client, tenant, person_id)
            kinds = _kinds(view)
            full = kinds.count("concern") == 2 and "early-help-episode-opened" in kinds
            return view if full and view["sharing"]["consents"] else None

        view = wait_for(everything, what="both concerns, the episode and the consent")
        assert view["statuses"]["early_help"]["open"] is True
        assert {m["given_name"] for m in view["household"]} == {"Kerry", "Rob"}
        [recorded] = view["sharing"]["consents"]
        assert (recorded["consent_id"], recorded["status"]) == ("CONS-7", "active")
        assert recorded["given_by"]["relationship"] == "mother"

        withdrawal = _event(
            tenant,
            "early-help",
            "EH-C-7",
            ConsentWithdrawn(
                consent_id="CONS-7",
                withdrawn_by=ConsentGiver(
                    relationship=Relationship.MOTHER, has_parental_responsibility=True
                ),
                withdrawn_at=TUESDAY_9AM + timedelta(hours=1),
                recorded_by="user:eh-0310",
            ),
            RECORDS,
        )
        _send(client, kafka_bootstrap, withdrawal)

        def withdrawn() -> dict[str, Any] | None:
            view = _view(client, tenant, person_id)
            return view if view["sharing"]["consents"][0]["status"] == "withdrawn" else None

        view = wait_for(withdrawn, what="the withdrawal")
        removed = [e for e in view["timeline"] if e["kind"] == "removed"]
        assert len(removed) == 2  # the early help concern and the episode
        for entry in removed:
            assert entry["summary"] == "removed: consent withdrawn"
            assert "detail" not in entry
            assert entry["provenance"]["agency"] == "early-help"
            assert entry["provenance"]["sharing"]["consent_ref"] == "CONS-7"
        texts = str(view["timeline"])
        assert "routines" not in texts
        assert "EP-7" not in texts
        # the police concern, held on another basis, stays; so does its household
        [kept] = [e for e in view["timeline"] if e["kind"] == "concern"]
        assert kept["provenance"]["agency"] == "police"
        assert [m["given_name"] for m in view["household"]] == ["Kerry"]
        assert view["statuses"]["early_help"]["open"] is False
        # the contact's copy of the consent-based concern is gone too
        eh_contact = client.get(
            f"/v1/{tenant}/contacts/{by_origin['early-help']}", headers=_staff(tenant)
        ).json()
        assert eh_contact["concern_summary"] == "removed: consent withdrawn"
        assert eh_contact["household"] == []

        purge = _event(
            tenant,
            "police-feed",
            "CLV-P-7",
            RecordPurged(
                purge_id="PURGE-1",
                record_kinds=("concern",),
                event_ids=(police_concern.id,),
                reason=PurgeReason.RECORDED_IN_ERROR,
                purged_at=TUESDAY_9AM + timedelta(hours=2),
                authorised_by="user:police-records-1",
            ),
            SharingBasis(
                lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.RECORDS_MANAGEMENT
            ),
        )
        _send(client, kafka_bootstrap, purge)

        def purged() -> dict[str, Any] | None:
            view = _view(client, tenant, person_id)
            return view if "concern" not in _kinds(view) else None

        view = wait_for(purged, what="the purge")
        police_tombstone = [
            e for e in view["timeline"] if e["provenance"]["source_event_id"] == police_concern.id
        ]
        assert police_tombstone[0]["summary"] == "removed: record purged (recorded-in-error)"
        assert view["household"] == []
        police_contact = client.get(
            f"/v1/{tenant}/contacts/{by_origin['police']}", headers=_staff(tenant)
        ).json()
        assert police_contact["concern_summary"].startswith("removed: record purged")
        # the consent record itself (records management, not consent-based) stays, withdrawn
        assert view["sharing"]["consents"][0]["status"] == "withdrawn"


def test_an_episode_opened_from_the_hubs_referral_joins_the_childs_view(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    tenant = unique_name
    app = build_app(_settings(kafka_bootstrap, mongo_uri, tenant), FixedClock(TUESDAY_9AM))
    with running_service(app) as client:
        _send(client, kafka_bootstrap, _concern(tenant))
        [contact] = _contacts(client, tenant, 1)
        url = f"/v1/{tenant}/contacts/{contact['contact_id']}"
        rating = {"rag_rating": "green", "rationale": "Family asks for support."}
        assert client.post(f"{url}/rating", json=rating, headers=_staff(tenant)).is_success
        decided = client.post(
            f"{url}/decision",
            json={"outcome": "EH Referral", "reason": "Parenting support needed."},
            headers=_staff(tenant, Role.MANAGER),
        )
        assert decided.status_code == 200, decided.text
        [referral_id] = decided.json()["referral_ids"]
        opened = EarlyHelpEpisodeOpened(
            episode_id="EP-55",
            referral_id=referral_id,
            # early help's own id for the child: the hub has never seen it
            child=ChildAsStated(agency_person_id="EH-C-55", given_name="A", family_name="H"),
            lead_professional_role="family support worker",
            team="stockton-north",
            opened_at=TUESDAY_9AM,
        )
        _send(
            client,
            kafka_bootstrap,
            _event(
                tenant,
                "early-help",
                "EH-C-55",
                opened,
                SharingBasis(lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.REFERRAL),
            ),
        )
        person = client.get(url, headers=_staff(tenant)).json()["person_id"]

        def episode_in_view() -> dict[str, Any] | None:
            view = _view(client, tenant, person)
            return next(
                (e for e in view["timeline"] if e["kind"] == "early-help-episode-opened"), None
            )

        episode = wait_for(episode_in_view, what="the episode in the child's view")
        assert episode["provenance"]["agency"] == "early-help"
