"""One realistic, valid example of every registered event, for tests, docs and benchmarks.

All people, numbers and places are invented. NHS numbers and UPNs carry
valid check characters but are not issued to anyone we know of. Example
events carry a sharing basis that the committed policy accepts for at least
one recipient.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import hub_contracts.events as ev
from hub_contracts.codes import (
    Agency,
    CategoryOfAbuse,
    CinClosureReason,
    ContactOutcome,
    PrimaryNeed,
    RagRating,
    ReferralSource,
)
from hub_contracts.envelope import CloudEvent, EventPayload
from hub_contracts.events.casework import EarlyHelpClosureReason
from hub_contracts.events.enquiries import FactHeld, InformationHeld
from hub_contracts.events.notifications import AcknowledgerRole, CareSetting
from hub_contracts.events.records import ConsentMethod, ConsentScope, PurgeReason
from hub_contracts.policy import SharingOutcome
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition

T0 = datetime(2025, 3, 14, 21, 40, tzinfo=UTC)
"""A Friday evening: a domestic abuse incident is reported to the police."""

CHILD_SUBJECT = "child-7f3a9c"
NHS_NUMBER = "9434765919"
UPN = "Q808200124123"

ADDRESS = ev.Address(lines=("14 Wren Close",), town="Stockton-on-Tees", postcode="TS18 3QT")


def _child(person_id: str, *, with_ids: bool = True) -> ev.ChildAsStated:
    return ev.ChildAsStated(
        agency_person_id=person_id,
        given_name="Maisie",
        family_name="Hartley",
        date_of_birth=date(2016, 6, 2),
        sex=ev.Sex.FEMALE,
        nhs_number=NHS_NUMBER if with_ids else None,
        upn=UPN if with_ids else None,
        address=ADDRESS,
    )


HOUSEHOLD = (
    ev.HouseholdMember(
        given_name="Kelly",
        family_name="Hartley",
        date_of_birth=date(1991, 11, 23),
        relationship_to_child=ev.Relationship.MOTHER,
        lives_with_child=True,
    ),
    ev.HouseholdMember(
        agency_person_id="CLV-P-553201",
        given_name="Dean",
        family_name="Mason",
        date_of_birth=date(1988, 4, 9),
        relationship_to_child=ev.Relationship.PARENTS_PARTNER,
        lives_with_child=True,
    ),
    ev.HouseholdMember(
        given_name="Leo",
        family_name="Hartley",
        date_of_birth=date(2021, 1, 17),
        relationship_to_child=ev.Relationship.SIBLING,
        lives_with_child=True,
    ),
)

STOCKTON = ev.ResponsibleAuthority(
    name="Stockton-on-Tees Borough Council",
    la_code="808",
    in_hours_phone="01642 130080",
    out_of_hours_phone="01642 524552",
)

_CONCERN = (
    "Police attended a domestic abuse incident at the home at 21:40. Mother's partner "
    "arrested. Maisie (8) was upstairs and heard shouting; her brother Leo (4) was asleep."
)


def example_payloads() -> dict[str, EventPayload]:
    """One valid payload per contract of the catalogue, keyed by its CloudEvents type."""
    payloads: list[EventPayload] = [
        ev.ChildConcernRaised(
            agency_reference="CLV-20250314-0457",
            referral_source=ReferralSource.POLICE,
            rag_rating=RagRating.AMBER,
            concern_summary=_CONCERN,
            child=_child("CLV-P-771045", with_ids=False),
            household=HOUSEHOLD,
            occurred_at=T0,
            raised_by_role="response officer",
        ),
        ev.ChildConcernRaisedV2(
            agency_reference=ev.AgencyReference(
                agency=Agency.POLICE, reference="CLV-20250314-0457", system="Niche RMS"
            ),
            referral_source=ReferralSource.POLICE,
            rag_rating=RagRating.AMBER,
            concern_summary=_CONCERN,
            child=_child("CLV-P-771045", with_ids=False),
            household=HOUSEHOLD,
            occurred_at=T0,
            raised_by_role="response officer",
        ),
        ev.ContactReceived(
            contact_id="CON-2025-00981",
            received_at=T0 + timedelta(hours=1),
            referral_source=ReferralSource.POLICE,
            origin_agency=Agency.POLICE,
            origin_event_id="0d5e6b8e-6f7c-4b8a-9d61-2a7c1f0b9e11",
            rag_rating_as_received=RagRating.AMBER,
            concern_summary=_CONCERN,
            child=_child("HUB-P-000412"),
        ),
        ev.ContactRated(
            contact_id="CON-2025-00981",
            rag_rating=RagRating.RED,
            rationale="Third incident in six months; child heard the assault; partner bailed.",
            rated_by="user:hub-0042",
            rated_at=T0 + timedelta(hours=11),
            screen_by=T0 + timedelta(hours=15),
        ),
        ev.ContactDeadlineBreached(
            contact_id="CT-2025-000871",
            clock="screening-window",
            rag_rating=RagRating.AMBER,
            deadline=datetime(2025, 3, 18, 9, 0, tzinfo=UTC),
            detected_at=datetime(2025, 3, 18, 9, 1, tzinfo=UTC),
        ),
        ev.ContactDecided(
            contact_id="CON-2025-00981",
            origin_event_id="0d5e6b8e-6f7c-4b8a-9d61-2a7c1f0b9e11",
            outcome=ContactOutcome.CIN_REFERRAL,
            reason="Escalating domestic abuse with children present; mother asks for support.",
            primary_need=PrimaryNeed.N1,
            decided_by="user:hub-mgr-007",
            decided_at=T0 + timedelta(hours=14),
            family_informed=True,
        ),
        ev.EnquiryRequested(
            enquiry_id="ENQ-2025-03310",
            contact_id="CON-2025-00981",
            target_agency=Agency.HEALTH,
            child=ev.ChildIdentifiers(
                given_name="Maisie",
                family_name="Hartley",
                date_of_birth=date(2016, 6, 2),
                sex=ev.Sex.FEMALE,
                nhs_number=NHS_NUMBER,
                upn=UPN,
                address=ADDRESS,
            ),
            household=HOUSEHOLD,
            purpose="A&E attendances, health visiting and GP concerns for the child and mother.",
            rag_rating=RagRating.RED,
            respond_by=T0 + timedelta(hours=14),
        ),
        ev.EnquiryAnswered(
            enquiry_id="ENQ-2025-03310",
            answering_agency=Agency.HEALTH,
            answer=InformationHeld(
                kind="information-held",
                facts=(
                    FactHeld(
                        kind="a-and-e-attendance",
                        summary="Mother attended A&E with a wrist injury; said she fell.",
                        occurred_at=T0 - timedelta(days=41),
                        agency_reference="NTH-ED-2025-118833",
                    ),
                ),
            ),
            answered_by="user:nth-sg-0091",
            answered_by_role="safeguarding nurse",
            answered_at=T0 + timedelta(hours=12),
        ),
        ev.ReferralToEarlyHelp(
            referral_id="REF-EH-2025-0210",
            contact_id="CON-2025-00977",
            referral_source=ReferralSource.SCHOOLS,
            child=_child("HUB-P-000412"),
            household=HOUSEHOLD,
            reason="Attendance falling to 82%; mother struggling since the birth of Leo.",
            rag_rating=RagRating.GREEN,
            referred_by="user:hub-0042",
            referred_at=T0 - timedelta(days=30),
            primary_need=PrimaryNeed.N4,
            consent_id="CONS-2025-0456",
        ),
        ev.ReferralToSocialCare(
            referral_id="REF-SC-2025-0388",
            contact_id="CON-2025-00981",
            referral_source=ReferralSource.POLICE,
            child=_child("HUB-P-000412"),
            household=HOUSEHOLD,
            reason="Escalating domestic abuse with children present.",
            rag_rating=RagRating.RED,
            referred_by="user:hub-mgr-007",
            referred_at=T0 + timedelta(hours=14),
            primary_need=PrimaryNeed.N1,
        ),
        ev.StrategyDiscussionRequested(
            request_id="SD-2025-0077",
            contact_id="CON-2025-00981",
            child=_child("HUB-P-000412"),
            household=HOUSEHOLD,
            reason="Child disclosed being pushed by mother's partner during the incident.",
            suspected_category=CategoryOfAbuse.PHYSICAL,
            primary_need=PrimaryNeed.N1,
            agencies_invited=(Agency.POLICE, Agency.HEALTH, Agency.EDUCATION),
            hold_by=T0 + timedelta(days=1),
            requested_by="user:hub-mgr-007",
            requested_at=T0 + timedelta(hours=13),
        ),
        ev.EarlyHelpEpisodeOpened(
            episode_id="EH-EP-2025-0144",
            referral_id="REF-EH-2025-0210",
            child=_child("EH-C-30291"),
            lead_professional_role="family support worker",
            team="Stockton North locality team",
            primary_need=PrimaryNeed.N4,
            opened_at=T0 - timedelta(days=28),
        ),
        ev.EarlyHelpEpisodeClosed(
            episode_id="EH-EP-2025-0144",
            closure_reason=EarlyHelpClosureReason.STEPPED_UP,
            closure_summary="Stepped up after the incident of 14 March.",
            closed_by="user:eh-0310",
            closed_at=T0 + timedelta(days=2),
        ),
        ev.StepUpRequested(
            request_id="SU-2025-0031",
            episode_id="EH-EP-2025-0144",
            child=_child("EH-C-30291"),
            household=HOUSEHOLD,
            reason="Disclosure of physical harm; plan no longer keeps the children safe.",
            primary_need=PrimaryNeed.N1,
            requested_by="user:eh-0310",
            requested_at=T0 + timedelta(days=1),
        ),
        ev.StepDownRequested(
            request_id="SD-EH-2025-0019",
            case_id="SC-CASE-88120",
            child=_child("SC-C-41877"),
            household=HOUSEHOLD,
            reason="Assessment complete; parenting support and school attendance work remain.",
            primary_need=PrimaryNeed.N4,
            closure_reason=CinClosureReason.RC9,
            consent_id="CONS-2025-0512",
            requested_by="user:sc-sw-118",
            requested_at=T0 + timedelta(days=44),
        ),
        ev.SocialCareStatusChanged(
            change_id="SC-CH-2025-1402",
            case_id="SC-CASE-88120",
            status_kind=ev.StatusKind.CHILD_PROTECTION_PLAN,
            change="started",
            started_on=date(2025, 4, 3),
            category_of_abuse=CategoryOfAbuse.PHYSICAL,
            child_nhs_number=NHS_NUMBER,
            child_upn=UPN,
            child=_child("SC-C-41877"),
            responsible_authority=STOCKTON,
        ),
        ev.OperationEncompassNotified(
            notification_id="OE-2025-03-0219",
            police_reference="CLV-20250314-0457",
            child_given_name="Maisie",
            child_family_name="Hartley",
            child_date_of_birth=date(2016, 6, 2),
            incident_at=T0,
            incident_place="the family home",
            child_present=True,
            child_said="I put my headphones on so I couldn't hear.",
            school_urn="111567",
            notify_by=datetime(2025, 3, 17, 8, 30, tzinfo=UTC),
        ),
        ev.OperationEncompassAcknowledged(
            notification_id="OE-2025-03-0219",
            acknowledged_at=datetime(2025, 3, 17, 7, 55, tzinfo=UTC),
            acknowledged_by_role=AcknowledgerRole.DSL,
            school_urn="111567",
        ),
        ev.OperationEncompassOverdue(
            notification_id="OE-2025-03-0219",
            police_reference="CLV-20250314-0457",
            school_urn="111567",
            notify_by=datetime(2025, 3, 17, 8, 30, tzinfo=UTC),
            detected_at=datetime(2025, 3, 17, 8, 31, tzinfo=UTC),
        ),
        ev.RecordAccessed(
            access_id="CPIS-ACC-2025-55012",
            child_nhs_number=NHS_NUMBER,
            status_kind=ev.StatusKind.CHILD_PROTECTION_PLAN,
            care_setting=CareSetting.EMERGENCY_DEPARTMENT,
            organisation_name="University Hospital of North Tees",
            ods_code="RVW",
            accessed_at=datetime(2025, 5, 2, 19, 12, tzinfo=UTC),
            responsible_authority=STOCKTON,
        ),
        ev.ConsentRecorded(
            consent_id="CONS-2025-0456",
            scope=ConsentScope(
                event_names=("referral-to-early-help", "early-help-episode-opened"),
                purposes=(Purpose.REFERRAL,),
                recipients=("early-help",),
            ),
            given_by=ev.ConsentGiver(
                relationship=ev.Relationship.MOTHER, has_parental_responsibility=True
            ),
            method=ConsentMethod.VERBAL,
            given_at=T0 - timedelta(days=31),
            expires_at=T0 + timedelta(days=334),
            recorded_by="user:hub-0042",
        ),
        ev.ConsentWithdrawn(
            consent_id="CONS-2025-0456",
            withdrawn_by=ev.ConsentGiver(
                relationship=ev.Relationship.MOTHER, has_parental_responsibility=True
            ),
            withdrawn_at=T0 + timedelta(days=60),
            recorded_by="user:eh-0310",
            note="Family moving to Darlington; no longer wants early help contact.",
        ),
        ev.RecordPurged(
            purge_id="PURGE-2025-0007",
            record_kinds=("contact", "enquiry-answer"),
            event_ids=("0d5e6b8e-6f7c-4b8a-9d61-2a7c1f0b9e11",),
            reason=PurgeReason.RECORDED_IN_ERROR,
            purged_at=T0 + timedelta(days=3),
            authorised_by="user:hub-mgr-007",
        ),
        ev.SharingDecisionRecorded(
            decision_id="SDR-2025-991204",
            event_id="5c1e0f7a-3b8d-4e2f-a6c9-0d7b4e1f2a33",
            event_type="uk.childrenshub.enquiry-requested.v1",
            producer="front-door",
            recipient="health-feed",
            purpose=Purpose.MULTI_AGENCY_ENQUIRY,
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
            outcome=SharingOutcome.MINIMISED,
            withheld_fields=("child.upn", "child.address.lines"),
            decided_by="service:front-door",
            decided_at=T0 + timedelta(hours=11, minutes=5),
        ),
        ev.PersonLinkChanged(
            change_id="IDC-2025-000412",
            action="linked",
            person_id="HP-3f9a1c2b7d4e",
            other_person_id="HP-8b2e6d0a1f57",
            candidate_id="PC-5d1c9e7a2b30",
            evidence_summary="given_name=nickname; family_name=exact; date_of_birth=exact; "
            "sex=same; address=same; nhs_number=absent",
            score=0.93,
            decided_by="user:hub-mgr-007",
            reason="Same child: school and police records agree; mother confirmed the nickname.",
            decided_at=T0 + timedelta(hours=3),
        ),
    ]
    by_type = {type(p).cloudevent_type(): p for p in payloads}
    missing = sorted(set(ev.catalogue()) - set(by_type))
    if missing:  # a new contract needs an example here
        raise LookupError(f"no example for {missing}")
    return by_type


EXAMPLE_BASES: dict[str, SharingBasis] = {
    "child-concern-raised": SharingBasis(
        lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.SAFEGUARDING_SCREENING
    ),
    "contact-received": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.OUTCOME_FEEDBACK
    ),
    "contact-rated": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
    ),
    "contact-deadline-breached": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.SAFEGUARDING_SCREENING
    ),
    "contact-decided": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.OUTCOME_FEEDBACK
    ),
    "enquiry-requested": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.MULTI_AGENCY_ENQUIRY
    ),
    "enquiry-answered": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        purpose=Purpose.MULTI_AGENCY_ENQUIRY,
        special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
    ),
    "referral-to-early-help": SharingBasis(
        lawful_basis=LawfulBasis.CONSENT,
        purpose=Purpose.REFERRAL,
        consent_ref="CONS-2025-0456",
        special_category_condition=SpecialCategoryCondition.EXPLICIT_CONSENT,
    ),
    "referral-to-social-care": SharingBasis(
        lawful_basis=LawfulBasis.LEGAL_OBLIGATION,
        purpose=Purpose.REFERRAL,
        special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
    ),
    "strategy-discussion-requested": SharingBasis(
        lawful_basis=LawfulBasis.LEGAL_OBLIGATION,
        purpose=Purpose.REFERRAL,
        special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
        override_reason="Reasonable cause to suspect significant harm; family not asked.",
        authorised_by="user:hub-mgr-007",
    ),
    "early-help-episode-opened": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.REFERRAL
    ),
    "early-help-episode-closed": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.REFERRAL
    ),
    "step-up-requested": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.REFERRAL
    ),
    "step-down-requested": SharingBasis(
        lawful_basis=LawfulBasis.CONSENT, purpose=Purpose.REFERRAL, consent_ref="CONS-2025-0512"
    ),
    "social-care-status-changed": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        purpose=Purpose.UNSCHEDULED_CARE_FLAG,
        special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
    ),
    "operation-encompass-notified": SharingBasis(
        lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.OPERATION_ENCOMPASS
    ),
    "operation-encompass-overdue": SharingBasis(
        lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=Purpose.OPERATION_ENCOMPASS
    ),
    "operation-encompass-acknowledged": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.OPERATION_ENCOMPASS
    ),
    "record-accessed": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        purpose=Purpose.UNSCHEDULED_CARE_FLAG,
        special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
    ),
    "consent-recorded": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.RECORDS_MANAGEMENT
    ),
    "consent-withdrawn": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.RECORDS_MANAGEMENT
    ),
    "record-purged": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.RECORDS_MANAGEMENT
    ),
    "sharing-decision-recorded": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.RECORDS_MANAGEMENT
    ),
    "person-link-changed": SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.RECORDS_MANAGEMENT
    ),
}
"""A sharing basis the committed policy accepts, per event name."""


def example_events(tenant: str = "stockton", subject: str = CHILD_SUBJECT) -> list[CloudEvent]:
    """One valid CloudEvent per registered type, from its first producer, for ``tenant``."""
    events = []
    for index, (type_, payload) in enumerate(sorted(example_payloads().items())):
        model = type(payload)
        events.append(
            CloudEvent.new(
                tenant=tenant,
                producer=model.producers[0],
                subject=subject,
                payload=payload,
                sharing=EXAMPLE_BASES[model.event_name],
                time=T0 + timedelta(minutes=index),
                event_id=f"example-{type_.removeprefix('uk.childrenshub.')}",
            )
        )
    return events
