"""Potential-duplicate review, the person page, the consent and sharing panel with
share-without-consent, agency liaisons' enquiry status, and decided contacts' clocks:
through the gateway, on the real broker and database, in front of a real front door."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hub_contracts.events import Address
from hub_service.staff import Role, issue_token
from hub_testing.bus import in_app, wait_for

pytestmark = pytest.mark.integration
HOME = Address(lines=("12 Marine Drive",), town="Hartlepool", postcode="TS24 7AB")


def _csrf_of(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_duplicates_are_reviewed_with_their_evidence_confirmed_by_a_manager_and_unlinked(
    hub: Any,
) -> None:
    gw, tenant = hub.gateway, hub.tenant
    born = date(2014, 7, 9)
    hub.concern(
        tenant, "DUP-1", given_name="Katherine", family_name="Lowe", born=born, address=HOME
    )
    hub.concern(
        tenant,
        "DUP-2",
        given_name="Katie",
        family_name="Lowe",
        born=born,
        address=HOME,
        from_school=True,
    )

    def both() -> list[dict[str, Any]] | None:
        found = hub.wait_for_child(tenant, "Lowe")
        return found if len(found) == 2 else None

    queue = wait_for(both, what="both Lowe contacts")
    persons = {hub.front_door_contact(tenant, c["contact_id"])["person_id"] for c in queue}

    csrf = hub.sign_in(tenant, "practitioner")
    listed = gw.get(f"/api/v1/{tenant}/person-candidates")
    assert listed.status_code == 200, listed.text
    [candidate] = [
        c for c in listed.json() if {c["new_person_id"], c["existing_person_id"]} == persons
    ]
    assert candidate["evidence"]["given_name"] == "nickname"
    assert candidate["evidence"]["date_of_birth"] == "exact"
    # need-to-know: what the matcher compared, never the NHS number or the address lines
    assert set(candidate["new_person"]) <= {
        "person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "postcode",
        "has_nhs_number",
        "merged_into",
    }
    assert candidate["new_person"]["postcode"] == "TS24 7AB"
    assert "Marine Drive" not in listed.text
    cid = candidate["candidate_id"]
    url = f"/api/v1/{tenant}/person-candidates/{cid}"
    reason = {"reason": "Same school, same address; mother calls her Katie."}
    refused = gw.post(f"{url}/confirmation", json=reason, headers=csrf)
    assert (refused.status_code, refused.json()["reason"]) == (403, "role-not-permitted")
    no_reason = gw.post(f"{url}/rejection", json={"reason": ""}, headers=csrf)
    assert (no_reason.status_code, no_reason.json()["reason"]) == (422, "invalid-request")
    no_csrf = gw.post(f"{url}/rejection", json=reason)
    assert (no_csrf.status_code, no_csrf.json()["reason"]) == (403, "csrf-token-invalid")

    # a manager confirms on the page, with a reason (required)
    hub.sign_in(tenant, "manager")
    page = gw.get(f"/{tenant}/duplicates")
    assert page.status_code == 200
    assert "nickname" in page.text
    assert "Confirm pair" in page.text
    token = _csrf_of(page.text)
    empty = gw.post(
        f"/{tenant}/duplicates/{cid}",
        data={"csrf_token": token, "decision": "confirmation", "reason": ""},
    )
    assert empty.status_code == 422
    assert f'href="#reason-{cid}"' in empty.text
    confirmed = gw.post(
        f"/{tenant}/duplicates/{cid}",
        data={"csrf_token": token, "decision": "confirmation", **reason},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303, confirmed.text
    survivor, merged = candidate["existing_person_id"], candidate["new_person_id"]
    person = gw.get(f"/api/v1/{tenant}/persons/{survivor}").json()
    assert [p["person_id"] for p in person["linked_persons"]] == [merged]
    assert "nhs_number" not in person
    person_page = gw.get(f"/{tenant}/persons/{survivor}")
    assert f"Unlink {merged}" in person_page.text
    unlinked = gw.post(
        f"/{tenant}/persons/{merged}/unlink",
        data={"csrf_token": token, "reason": "Confirmed in error: twins at one school."},
        follow_redirects=False,
    )
    assert unlinked.status_code == 303, unlinked.text
    assert unlinked.headers["location"] == f"/{tenant}/persons/{survivor}"
    assert gw.get(f"/api/v1/{tenant}/persons/{survivor}").json()["linked_persons"] == []

    # every step, and the refusal, is in the tenant's gateway audit
    async def audited() -> list[tuple[str, str, str]]:
        db = gw.app.state.gateway.tenant_db(tenant)
        cursor = db["user_actions"].find({"detail.candidate_id": cid})
        found = [(d["user_id"], d["action"], d["outcome"]) async for d in cursor]
        cursor = db["user_actions"].find({"action": "unlink-person", "person_id": merged})
        return found + [(d["user_id"], d["action"], d["outcome"]) async for d in cursor]

    entries = in_app(gw, audited)
    assert (f"u-{tenant}-manager", "confirm-duplicate", "done") in entries
    assert (f"u-{tenant}-manager", "unlink-person", "done") in entries


def test_many_potential_duplicates_are_reviewed_a_page_at_a_time_best_first(hub: Any) -> None:
    gw, tenant = hub.gateway, hub.tenant
    born = date(2012, 9, 3)
    surnames = ("Thompson", "Thomson", "Tompson", "Thomsen", "Thompsen", "Tomson", "Thomason")
    for i, family in enumerate(surnames):  # alike children: 0+1+2+3+4+5+5 = 20 pairs (K = 5)
        hub.concern(
            tenant, f"PAGE-{i}", given_name="Olivia", family_name=family, born=born, address=HOME
        )
    staff = {"Authorization": f"Bearer {issue_token('u-test', {Role.PRACTITIONER}, {tenant})}"}

    def olivias() -> int | None:
        answer = hub.front_door.get(
            f"/v1/{tenant}/person-candidates", params={"limit": 500}, headers=staff
        )
        mine = [c for c in answer.json() if c["new_person"].get("date_of_birth") == str(born)]
        return int(answer.headers["X-Total-Count"]) if len(mine) == 20 else None

    total = wait_for(olivias, timeout_s=60, what="the twenty pairs of Olivias")
    pages = -(-total // 10)

    hub.sign_in(tenant, "manager")
    first = gw.get(f"/{tenant}/duplicates")
    assert first.status_code == 200, first.text
    assert f"<strong>{total}</strong> pairs to review, best score first." in first.text
    assert f"Showing pairs 1 to 10 (page 1 of {pages})" in first.text
    assert "Pair 10: score" in first.text
    assert "Pair 11: score" not in first.text
    assert 'class="govuk-pagination"' in first.text
    assert f'href="/{tenant}/duplicates?page=2" rel="next"' in first.text
    assert 'aria-label="Page 1" aria-current="page"' in first.text
    assert 'rel="prev"' not in first.text
    second = gw.get(f"/{tenant}/duplicates", params={"page": "2"})
    assert "Pair 11: score" in second.text
    assert "Pair 10: score" not in second.text
    assert f'href="/{tenant}/duplicates?page=1" rel="prev"' in second.text

    def scores(page: str) -> list[float]:
        return [float(h.split("</h2>")[0]) for h in page.split(": score ")[1:]]

    shown = scores(first.text) + scores(second.text)
    assert len(shown) == 20
    assert shown == sorted(shown, reverse=True)  # best first, across pages

    past = gw.get(f"/{tenant}/duplicates", params={"page": "999"})  # the last page instead
    assert f'aria-label="Page {pages}" aria-current="page"' in past.text
    cid = second.text.split(f'action="/{tenant}/duplicates/')[1].split('"')[0]
    rejected = gw.post(
        f"/{tenant}/duplicates/{cid}",
        data={
            "csrf_token": _csrf_of(second.text),
            "decision": "rejection",
            "page": "2",
            "reason": "Different girls: schools confirm both.",
        },
        follow_redirects=False,
    )
    assert rejected.status_code == 303, rejected.text
    assert rejected.headers["location"] == f"/{tenant}/duplicates?page=2"  # back where it was
    after = gw.get(f"/{tenant}/duplicates")
    assert f"<strong>{total - 1}</strong> pairs to review" in after.text


def test_a_manager_shares_without_consent_and_the_panel_shows_it(hub: Any) -> None:
    gw, tenant = hub.gateway, hub.tenant
    hub.concern(tenant, "SHARE-1")
    [row] = hub.wait_for_child(tenant, "SHARE-1")
    contact_id = row["contact_id"]
    person_id = hub.front_door_contact(tenant, contact_id)["person_id"]
    share = {
        "recipient": "health",
        "lawful_basis": "uk-gdpr-6-1-e",
        "special_category_condition": "dpa-2018-sch1-para18",
        "reason": "Significant harm suspected; the GP must know today.",
        "contact_id": contact_id,
    }
    url = f"/api/v1/{tenant}/persons/{person_id}/shares-without-consent"

    csrf = hub.sign_in(tenant, "practitioner")
    refused = gw.post(url, json=share, headers=csrf)
    assert (refused.status_code, refused.json()["reason"]) == (403, "role-not-permitted")
    page = gw.get(f"/{tenant}/contacts/{contact_id}")
    assert "Consent and sharing" in page.text
    assert "Record a sharing decision" not in page.text

    csrf = hub.sign_in(tenant, "manager")
    consent = gw.post(url, json={**share, "lawful_basis": "uk-gdpr-6-1-a"}, headers=csrf)
    assert (consent.status_code, consent.json()["reason"]) == (
        422,
        "consent-not-an-override-basis",
    )
    shared = gw.post(url, json=share, headers=csrf)
    assert shared.status_code == 201, shared.text
    assert shared.json()["decision"] == "shared-without-consent"
    view = gw.get(f"/api/v1/{tenant}/contacts/{contact_id}").json()["view"]
    [override] = view["sharing"]["shared_without_consent"]
    assert override["recipient"] == "health"
    assert override["authorised_by"] == f"u-{tenant}-manager"

    # the decision not to share, on the page
    page = gw.get(f"/{tenant}/contacts/{contact_id}")
    assert "Significant harm suspected" in page.text
    form = gw.get(f"/{tenant}/contacts/{contact_id}/sharing")
    assert form.status_code == 200
    token = _csrf_of(form.text)
    missing = gw.post(
        f"/{tenant}/contacts/{contact_id}/sharing",
        data={"csrf_token": token, "decision": "not-share", "ns_recipient": "education"},
    )
    assert missing.status_code == 422
    assert 'href="#ns_reason_code"' in missing.text
    recorded = gw.post(
        f"/{tenant}/contacts/{contact_id}/sharing",
        data={
            "csrf_token": token,
            "decision": "not-share",
            "ns_recipient": "education",
            "ns_reason_code": "would-put-child-at-risk",
            "ns_reason": "The school would alert the household before the strategy meeting.",
        },
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    page = gw.get(f"/{tenant}/contacts/{contact_id}")
    assert "not shared with education" in page.text
    assert "alert the household" in page.text

    # decided: no running clock, whether it was in time instead
    gw.post(
        f"/api/v1/{tenant}/contacts/{contact_id}/rating",
        json={"rag_rating": "red", "rationale": "Repeat incidents."},
        headers=csrf,
    )
    decided = gw.post(
        f"/api/v1/{tenant}/contacts/{contact_id}/decision",
        json={"outcome": "No Further Action", "reason": "Already safe."},
        headers=csrf,
    )
    assert decided.status_code == 200, decided.text
    contact = gw.get(f"/api/v1/{tenant}/contacts/{contact_id}").json()["contact"]
    assert contact["time_left"] == "decided in time"
    assert contact["decided"] is True
    page = gw.get(f"/{tenant}/contacts/{contact_id}")
    assert "decided in time" in page.text
    assert " left (due " not in page.text


def test_an_agency_liaison_sees_enquiry_status_and_nothing_of_the_child(hub: Any) -> None:
    gw, tenant = hub.gateway, hub.tenant
    hub.concern(tenant, "LIAISON-1")
    [row] = hub.wait_for_child(tenant, "LIAISON-1")
    contact_id = row["contact_id"]
    csrf = hub.sign_in(tenant, "practitioner")
    rated = gw.post(
        f"/api/v1/{tenant}/contacts/{contact_id}/rating",
        json={"rag_rating": "amber", "rationale": "Check with agencies."},
        headers=csrf,
    )
    assert rated.status_code == 200, rated.text

    hub.sign_in(tenant, "liaison")
    board = gw.get(f"/api/v1/{tenant}/enquiry-status")
    assert board.status_code == 200, board.text
    [mine] = [r for r in board.json() if r["contact_id"] == contact_id]
    assert mine["time_left"].endswith("left")
    assert sorted(e["agency"] for e in mine["enquiries"]) == [
        "early-help",
        "education",
        "health",
        "police",
        "social-care",
    ]
    assert "LIAISON-1" not in board.text  # no child names
    enquiries = gw.get(f"/api/v1/{tenant}/contacts/{contact_id}/enquiries")
    assert enquiries.status_code == 200, enquiries.text
    assert all("answer" not in e for e in enquiries.json())
    for path in (f"/contacts/{contact_id}", "/contacts", "/person-candidates"):
        refused = gw.get(f"/api/v1/{tenant}{path}")
        assert (refused.status_code, refused.json()["reason"]) == (403, "role-not-permitted")
    cross = gw.get(f"/api/v1/{hub.other}/enquiry-status")
    assert (cross.status_code, cross.json()["reason"]) == (403, "tenant-not-permitted")
    page = gw.get(f"/{tenant}/enquiries")
    assert page.status_code == 200
    assert "Enquiry status" in page.text
    assert "LIAISON-1" not in page.text
    assert f'href="/{tenant}/contacts/' not in page.text  # no link to a page they cannot see
    home = gw.get("/")
    assert "Enquiry status board" in home.text
