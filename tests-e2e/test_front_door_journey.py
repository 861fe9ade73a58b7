"""One safeguarding journey through the running hub, and that journey as ONE trace.

Police concern -> contact at the front door -> rated red -> enquiries answered by
health, education, early help and social care -> the joined-up view with
provenance -> decision "CIN Referral" -> social care receives the referral ->
the police are told the outcome. Then Zipkin, the tracing UI, holds all of it
in one trace (docs/adr/0008-one-journey-one-trace.md). Only public HTTP APIs.
"""

from __future__ import annotations

import random
import string
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from hub_contracts.identifiers import nhs_check_digit, upn_check_letter
from hub_localstack.stack import Stack
from hub_service.staff import Role, issue_token
from hub_testing.bus import wait_for

pytestmark = pytest.mark.e2e
TENANT = "stockton"
SCHOOL = "900200"
ANSWERING = ("health", "education", "early-help", "social-care")
"""The agencies the issue names; each holds something about this child."""
TRACED_SERVICES = {
    "police-feed",
    "front-door",
    "health-feed",
    "education",
    "early-help",
    "social-care",
}


def _agency(service: str) -> dict[str, str]:
    return {"Authorization": f"Bearer demo-{TENANT}-{service}"}


def _staff(role: Role) -> dict[str, str]:
    token = issue_token(f"e2e-{role.value}", {role}, {TENANT})
    return {"Authorization": f"Bearer {token}", "X-Hub-Purpose": "e2e journey"}


def _nhs_number() -> str:
    while True:
        first = f"9{random.randrange(10**8):08d}"  # noqa: S311 - test data
        check = nhs_check_digit(first)
        if check is not None:
            return f"{first}{check}"


def _upn() -> str:
    rest = f"808200{random.randrange(10**5):05d}{random.randrange(10)}"  # noqa: S311
    return upn_check_letter(rest) + rest


def _name() -> str:
    """A family name no demo or earlier child shares (agencies match on names and DOB)."""
    letters = "".join(random.choices(string.ascii_lowercase, k=8))  # noqa: S311
    return f"Journey{letters}"


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = httpx.post(url, json=body, headers=headers, timeout=30)
    assert response.status_code in (200, 201), (url, response.status_code, response.text)
    result: dict[str, Any] = response.json()
    return result


def _child(given: str, family: str, dob: date, person_id: str, **ids: str) -> dict[str, Any]:
    return {
        "agency_person_id": person_id,
        "given_name": given,
        "family_name": family,
        "date_of_birth": dob.isoformat(),
        "sex": "female",
        "address": {"lines": ["3 Journey Close"], "town": "Stockton-on-Tees"},
        **ids,
    }


def _fhir_attendance(record_id: str, nhs: str, given: str, family: str, dob: date) -> Any:
    """An A&E attendance without a safeguarding flag: known to health, no second contact."""
    arrived = (datetime.now(UTC) - timedelta(days=20)).isoformat()
    patient = f"urn:uuid:{record_id}-patient"
    return {
        "record_id": record_id,
        "bundle": {
            "resourceType": "Bundle",
            "id": record_id,
            "type": "collection",
            "entry": [
                {
                    "fullUrl": patient,
                    "resource": {
                        "resourceType": "Patient",
                        "identifier": [
                            {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs}
                        ],
                        "name": [{"use": "official", "family": family, "given": [given]}],
                        "gender": "female",
                        "birthDate": dob.isoformat(),
                    },
                },
                {
                    "fullUrl": f"urn:uuid:{record_id}-encounter",
                    "resource": {
                        "resourceType": "Encounter",
                        "status": "finished",
                        "class": {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                            "code": "EMER",
                        },
                        "subject": {"reference": patient},
                        "period": {"start": arrived},
                    },
                },
            ],
        },
    }


def _known_to_every_agency(hub: Stack, given: str, family: str, dob: date) -> None:
    """The child's records in health, education, early help and social care, each
    through the agency's own ingest API (as its case system would send them)."""
    nhs, upn, run = _nhs_number(), _upn(), uuid.uuid4().hex[:8]
    url = hub.config.service_url
    _post(
        f"{url('health-feed')}/v1/{TENANT}/fhir-bundles",
        _fhir_attendance(f"RVW-E2E-{run}", nhs, given, family, dob),
        _agency("health-feed"),
    )
    _post(
        f"{url('education')}/v1/{TENANT}/pupils",
        {
            "record_id": f"MIS-E2E-{run}",
            "child": _child(given, family, dob, upn, upn=upn),
            "school_urn": SCHOOL,
            "year_group": "5",
            "enrolled_on": "2021-09-02",
            "sen_provision": "none",
        },
        _agency("education"),
    )
    _post(
        f"{url('early-help')}/v1/{TENANT}/episodes",
        {
            "record_id": f"EH-EP-E2E-{run}",
            "child": _child(given, family, dob, f"EH-P-E2E-{run}", nhs_number=nhs),
            "lead_professional_role": "family support worker",
            "team": "stockton-north",
            "primary_need": "N3",
            "opened_at": (datetime.now(UTC) - timedelta(days=60)).isoformat(),
        },
        _agency("early-help"),
    )
    _post(
        f"{url('social-care')}/v1/{TENANT}/status-changes",
        {
            "record_id": f"SC-CHG-E2E-{run}",
            "case_id": f"SC-CASE-E2E-{run}",
            "child": _child(given, family, dob, f"SC-P-E2E-{run}", nhs_number=nhs, upn=upn),
            "status_kind": "child-in-need",
            "change": "started",
            "started_on": (date.today() - timedelta(days=90)).isoformat(),
        },
        _agency("social-care"),
    )


def _trace_id(contact: dict[str, Any]) -> str:
    traceparent = contact["trace_context"]["traceparent"]
    version, trace_id, _span, _flags = traceparent.split("-")
    assert version == "00"
    return str(trace_id)


def test_a_police_concern_to_a_cin_referral_is_one_journey_and_one_trace(hub: Stack) -> None:
    started = time.monotonic()
    given, family = "Poppy", _name()
    dob = date(2015, 1, 1) + timedelta(days=random.randrange(2500))  # noqa: S311
    _known_to_every_agency(hub, given, family, dob)
    front, police = hub.config.service_url("front-door"), hub.config.service_url("police-feed")
    social_care = hub.config.service_url("social-care")

    # 1. the police raise a domestic abuse incident (no NHS number or UPN, as police hold)
    incident_ref = f"CLV-E2E-{uuid.uuid4().hex[:8]}"
    _post(
        f"{police}/v1/{TENANT}/incidents",
        {
            "record_id": incident_ref,
            "incident_kind": "domestic-abuse",
            "occurred_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
            "place": "the family home",
            "summary": "Adults fighting; child present and frightened.",
            "rag_rating": "amber",
            "officer_role": "response officer",
            "sensitive": False,
            "children": [
                {
                    "child": _child(given, family, dob, f"CLV-P-{uuid.uuid4().hex[:8]}"),
                    "present": True,
                    "child_said": "I hid under the stairs.",
                    "school_urn": SCHOOL,
                }
            ],
        },
        _agency("police-feed"),
    )

    # 2. it is a contact at the front door
    def contact_in_queue() -> dict[str, Any] | None:
        queue = httpx.get(
            f"{front}/v1/{TENANT}/contacts",
            headers=_staff(Role.PRACTITIONER),
            params={"status": "awaiting-screening", "limit": 500},
            timeout=10,
        )
        assert queue.status_code == 200, queue.text
        return next(
            (
                c
                for c in queue.json()
                if c["child_name"] == f"{given} {family}" and c["origin_agency"] == "police"
            ),
            None,
        )

    contact_id = wait_for(contact_in_queue, 60, "the police concern at the front door")[
        "contact_id"
    ]

    def contact() -> dict[str, Any]:
        response = httpx.get(
            f"{front}/v1/{TENANT}/contacts/{contact_id}",
            headers=_staff(Role.PRACTITIONER),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    received = contact()
    assert received["origin_reference"] == incident_ref
    assert received["referral_source"] == "6"  # police
    trace_id = _trace_id(received)

    # 3. a practitioner rates it red: the enquiries fan out
    rated = _post(
        f"{front}/v1/{TENANT}/contacts/{contact_id}/rating",
        {"rag_rating": "red", "rationale": "Domestic abuse with the child present."},
        _staff(Role.PRACTITIONER),
    )
    assert len(rated["enquiries"]) == 5

    # 4. health, education, early help and social care answer from their records
    def answered() -> dict[str, Any] | None:
        current = contact()
        by_agency = {e["agency"]: e for e in current["enquiries"]}
        done = all(by_agency[a]["status"] == "answered" for a in ANSWERING)
        return current if done else None

    answers = {e["agency"]: e for e in wait_for(answered, 90, "the answers")["enquiries"]}
    for agency in ANSWERING:
        assert answers[agency]["answer"]["kind"] == "information-held", agency
        assert answers[agency]["answered_by_role"].startswith("MASH ")

    # 5. the joined-up view, with provenance: which agency asserted it, when, on which basis
    response = httpx.get(
        f"{front}/v1/{TENANT}/contacts/{contact_id}/view",
        headers=_staff(Role.PRACTITIONER),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    view = response.json()
    asserted: dict[str, list[dict[str, Any]]] = {}
    for entry in view["timeline"]:
        if entry.get("contact_id") == contact_id:
            asserted.setdefault(entry["provenance"]["agency"], []).append(entry["provenance"])
    assert asserted.get("police"), "the concern itself, as the police asserted it"
    for agency in ANSWERING:
        assert asserted.get(agency), f"{agency}'s answer is in the view"
        for provenance in asserted[agency]:
            assert provenance["asserted_at"]
            assert provenance["sharing"]["lawful_basis"] == "uk-gdpr-6-1-e", agency
            assert provenance["sharing"]["purpose"] == "multi-agency-enquiry", agency

    # 6. a hub manager decides: child-in-need referral
    decided = _post(
        f"{front}/v1/{TENANT}/contacts/{contact_id}/decision",
        {
            "outcome": "CIN Referral",
            "reason": "Domestic abuse with the child present; known to four agencies.",
            "primary_need": "N1",
        },
        _staff(Role.MANAGER),
    )
    assert decided["outcome"] == "CIN Referral"
    assert decided["routed"] == ["referral-to-social-care"]

    # 7. social care receives the referral
    def referral() -> dict[str, Any] | None:
        listed = httpx.get(
            f"{social_care}/v1/{TENANT}/referrals",
            params={"kind": "referral"},
            headers=_agency("social-care"),
            timeout=10,
        )
        assert listed.status_code == 200, listed.text
        return next((r for r in listed.json() if r["data"]["contact_id"] == contact_id), None)

    received_referral = wait_for(referral, 60, "social care to receive the referral")
    assert received_referral["status"] == "awaiting-decision"
    assert received_referral["data"]["primary_need"] == "N1"

    # 8. the police are told the outcome
    def outcome() -> dict[str, Any] | None:
        inbox = httpx.get(
            f"{police}/v1/{TENANT}/inbox",
            params={"event_name": "contact-decided"},
            headers=_agency("police-feed"),
            timeout=10,
        )
        assert inbox.status_code == 200, inbox.text
        return next((n for n in inbox.json() if n["data"]["contact_id"] == contact_id), None)

    told = wait_for(outcome, 60, "the police to be told the outcome")
    assert told["data"]["outcome"] == "CIN Referral"
    assert "reason" not in told["data"]  # the referrer learns the outcome, not the reasoning

    # 9. all of it is ONE trace in the tracing UI
    def whole_trace() -> list[dict[str, Any]] | None:
        response = httpx.get(f"{hub.config.zipkin_url}/api/v2/trace/{trace_id}", timeout=10)
        if response.status_code != 200:
            return None  # not exported yet (spans leave in batches)
        spans: list[dict[str, Any]] = response.json()
        names = {(s["localEndpoint"]["serviceName"], s.get("name", "")) for s in spans}
        ids = {s["id"] for s in spans}
        complete = (
            {service for service, _ in names} >= TRACED_SERVICES
            and ("social-care", "handle referral-to-social-care") in names
            and ("police-feed", "handle contact-decided") in names
            and ("front-door", "decide contact") in names
            and all(s.get("parentId") in ids for s in spans if s.get("parentId"))
        )
        return spans if complete else None

    spans = wait_for(whole_trace, 90, f"the journey's trace {trace_id} in Zipkin")
    names = {(s["localEndpoint"]["serviceName"], s.get("name", "")) for s in spans}
    expected = {
        ("front-door", "handle child-concern-raised"),
        ("front-door", "rate contact"),
        ("health-feed", "handle enquiry-requested"),
        ("education", "handle enquiry-requested"),
        ("early-help", "handle enquiry-requested"),
        ("social-care", "handle enquiry-requested"),
        ("front-door", "handle enquiry-answered"),
        ("front-door", "decide contact"),
        ("social-care", "handle referral-to-social-care"),
        ("police-feed", "handle contact-decided"),
    }
    assert expected <= names, sorted(expected - names)
    roots = [s for s in spans if not s.get("parentId")]
    assert len(roots) == 1, "one journey, one root: the police's request"
    assert roots[0]["localEndpoint"]["serviceName"] == "police-feed"
    services = sorted({s["localEndpoint"]["serviceName"] for s in spans})
    print(  # for the report: how big the journey's trace is
        f"\njourney trace {trace_id}: {len(spans)} spans from {services}; "
        f"{time.monotonic() - started:.1f}s"
    )
