"""Assembling the joined-up view from facts: pure rules, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from front_door.domain.view import (
    FactKind,
    assemble_view,
    early_help_status,
    household,
    recent_police_incidents,
    relies_on_consent,
    sen_status,
    sharing_panel,
    social_care_status,
    timeline_entry,
    tombstone,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PUBLIC_TASK = {"lawful_basis": "uk-gdpr-6-1-e", "purpose": "multi-agency-enquiry"}
PERSON = {"_id": "HP-1", "given_name": "Amelia", "family_name": "Hart", "identifiers": []}


def fact(
    n: int,
    agency: str,
    kind: str,
    *,
    summary: str = "something held",
    occurred_at: datetime | None = None,
    asserted_at: datetime = NOW,
    sharing: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "_id": f"F-{n}",
        "person_id": "HP-1",
        "agency": agency,
        "kind": kind,
        "summary": summary,
        "occurred_at": occurred_at,
        "asserted_at": asserted_at,
        "source_event_id": f"E-{n}",
        "source_event_type": "uk.childrenshub.enquiry-answered.v1",
        "sharing": sharing or PUBLIC_TASK,
        "detail": detail or {},
        **extra,
    }


def test_every_timeline_entry_carries_agency_time_and_basis_newest_first() -> None:
    facts = [
        fact(1, "police", "domestic-abuse", occurred_at=NOW - timedelta(days=30)),
        fact(2, "health", "a-and-e-attendance", occurred_at=NOW - timedelta(days=2)),
    ]
    view = assemble_view(PERSON, facts, [], NOW)
    assert [e["fact_id"] for e in view["timeline"]] == ["F-2", "F-1"]
    first = view["timeline"][0]
    assert first["provenance"] == {
        "agency": "health",
        "asserted_at": NOW,
        "sharing": PUBLIC_TASK,
        "source_event_type": "uk.childrenshub.enquiry-answered.v1",
        "source_event_id": "E-2",
    }


def test_a_tombstone_keeps_provenance_and_the_reason_but_no_data() -> None:
    original = fact(
        1,
        "early-help",
        "concern",
        summary="Family asked for help",
        detail={"household": [{"given_name": "Rob"}]},
        link_keys=["early-help/person/EH-7"],
        sharing={"lawful_basis": "uk-gdpr-6-1-a", "purpose": "referral", "consent_ref": "C-7"},
    )
    removed = tombstone(original, "consent withdrawn", NOW)
    entry = timeline_entry(removed)
    assert entry["summary"] == "removed: consent withdrawn"
    assert entry["provenance"]["agency"] == "early-help"
    assert entry["provenance"]["sharing"]["consent_ref"] == "C-7"
    assert "detail" not in entry
    assert "Family" not in str(removed)
    assert "Rob" not in str(removed)
    assert "link_keys" not in removed
    # nor does a removed fact count towards statuses or the household
    view = assemble_view(PERSON, [removed], [], NOW)
    assert view["household"] == []
    assert view["sharing"]["bases"][0]["removed"] == 1


def test_only_facts_under_that_consent_rely_on_it() -> None:
    consent = {"lawful_basis": "uk-gdpr-6-1-a", "purpose": "referral", "consent_ref": "C-7"}
    assert relies_on_consent(fact(1, "early-help", "x", sharing=consent), "C-7")
    assert not relies_on_consent(fact(2, "early-help", "x", sharing=consent), "C-8")
    assert not relies_on_consent(fact(3, "police", "x"), "C-7")


def test_late_answers_are_marked_late() -> None:
    entry = timeline_entry(fact(1, "social-care", FactKind.NOT_SHARED, late=True))
    assert entry["late"] is True
    assert "late" not in timeline_entry(fact(2, "health", "a-and-e-attendance"))


def test_an_episode_closure_wins_over_its_opening_in_any_order() -> None:
    opened = fact(1, "early-help", FactKind.EPISODE_OPENED, detail={"episode_id": "EP-1"})
    answered = fact(2, "early-help", "early-help-episode-open", detail={"agency_reference": "EP-1"})
    closed = fact(3, "early-help", FactKind.EPISODE_CLOSED, detail={"episode_id": "EP-1"})
    assert early_help_status([opened, answered])["open"] is True
    assert early_help_status([closed, opened, answered])["open"] is False
    other = fact(4, "early-help", FactKind.EPISODE_OPENED, detail={"episode_id": "EP-2"})
    status = early_help_status([closed, opened, other])
    assert status["open"] is True
    assert {e["episode_id"]: e["status"] for e in status["episodes"]} == {
        "EP-1": "closed",
        "EP-2": "open",
    }


def test_the_latest_social_care_change_of_each_kind_decides() -> None:
    def change(n: int, kind: str, change: str, started: str, ended: str | None = None) -> Any:
        detail = {"status_kind": kind, "change": change, "started_on": started, "ended_on": ended}
        return fact(n, "social-care", FactKind.SOCIAL_CARE_STATUS, detail=detail)

    statuses = social_care_status(
        [
            change(2, "child-in-need", "ended", "2025-01-01", "2025-06-01"),
            change(1, "child-in-need", "started", "2025-01-01"),
            change(3, "child-protection-plan", "started", "2026-10-01"),
        ]
    )
    assert statuses["child-in-need"]["current"] is False
    assert statuses["child-protection-plan"]["current"] is True
    # an enquiry answer fills in a kind no status change told the hub about
    answered = fact(
        4, "social-care", "social-care-looked-after", summary="Current looked after since 2024."
    )
    assert social_care_status([answered])["looked-after"]["current"] is True


def test_sen_provision_comes_from_educations_latest_answer() -> None:
    older = fact(1, "education", "sen-provision", summary="SEN support.", asserted_at=NOW)
    newer = fact(
        2,
        "education",
        "sen-provision",
        summary="Education, Health and Care plan; primary SEN type ASD.",
        asserted_at=NOW + timedelta(days=1),
    )
    support = sen_status([older])
    assert support is not None
    assert support["provision"] == "sen-support"
    latest = sen_status([older, newer])
    assert latest is not None
    assert latest["ehcp"] is True
    assert sen_status([]) is None


def test_police_incidents_count_for_twelve_months_and_refusals_never() -> None:
    facts = [
        fact(1, "police", "domestic-abuse", occurred_at=NOW - timedelta(days=364)),
        fact(2, "police", "missing-episode", occurred_at=NOW - timedelta(days=366)),
        fact(3, "police", FactKind.NOTHING_HELD),
        fact(4, "health", "a-and-e-attendance", occurred_at=NOW),
    ]
    assert [f["fact_id"] for f in recent_police_incidents(facts, NOW)] == ["F-1"]


def test_household_members_stated_by_several_agencies_are_one_member_with_each_statement() -> None:
    mother = {
        "given_name": "Kerry",
        "family_name": "Hart",
        "date_of_birth": "1990-05-02",
        "relationship_to_child": "mother",
        "lives_with_child": True,
    }
    facts = [
        fact(1, "police", "concern", detail={"household": [mother]}, contact_id="CT-1"),
        fact(2, "health", "concern", detail={"household": [{**mother, "given_name": "KERRY"}]}),
    ]
    [member] = household(facts)
    assert [s["agency"] for s in member["stated_by"]] == ["police", "health"]
    assert member["stated_by"][0]["contact_id"] == "CT-1"


def test_the_sharing_panel_shows_consents_bases_overrides_and_refusals() -> None:
    override = {
        **PUBLIC_TASK,
        "override_reason": "Risk of significant harm.",
        "authorised_by": "user:nurse-3",
    }
    consent = fact(
        1,
        "early-help",
        FactKind.CONSENT,
        detail={"consent_id": "C-1", "withdrawn_at": NOW, "expires_at": None},
    )
    expired = fact(
        2,
        "early-help",
        FactKind.CONSENT,
        detail={"consent_id": "C-2", "withdrawn_at": None, "expires_at": NOW - timedelta(days=1)},
    )
    facts = [
        consent,
        expired,
        fact(3, "health", "a-and-e-attendance", sharing=override),
        fact(4, "health", "a-and-e-attendance"),
        fact(5, "police", FactKind.NOT_SHARED, summary="Not shared", detail={"decided_by": "u:1"}),
    ]
    panel = sharing_panel(facts, NOW)
    assert {c["consent_id"]: c["status"] for c in panel["consents"]} == {
        "C-1": "withdrawn",
        "C-2": "expired",
    }
    [without] = panel["shared_without_consent"]
    assert (without["fact_id"], without["authorised_by"]) == ("F-3", "user:nurse-3")
    [refusal] = panel["not_shared"]
    assert (refusal["agency"], refusal["decided_by"]) == ("police", "u:1")
    health_bases = [b for b in panel["bases"] if b["agency"] == "health"]
    assert sum(b["facts"] for b in health_bases) == 2


def test_the_hubs_own_rating_and_decision_join_the_timeline() -> None:
    contact = {
        "_id": "CT-1",
        "status": "decided",
        "received_at": NOW,
        "rag_rating": "red",
        "rated_at": NOW + timedelta(hours=1),
        "rated_by": "u-1",
        "decision": {
            "outcome": "CIN Referral",
            "reason": "Needs assessment.",
            "decided_by": "u-mgr",
            "decided_at": NOW + timedelta(hours=3),
        },
    }
    view = assemble_view(PERSON, [], [contact], NOW)
    assert [e["kind"] for e in view["timeline"]] == [FactKind.HUB_DECISION, FactKind.HUB_RATING]
    assert view["timeline"][0]["provenance"]["agency"] == "hub"
    assert view["contacts"][0]["outcome"] == "CIN Referral"
