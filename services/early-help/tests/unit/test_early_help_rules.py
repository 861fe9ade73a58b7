"""Early help's pure rules: an episode's life, referral acceptance, what the hub is told."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from early_help.domain.episodes import Episode, EpisodeStatus, episode_or_refuse, fact_summary
from early_help.domain.records import EpisodeClosureRecord, EpisodeRecord, StepUpRequestRecord
from early_help.domain.referrals import ReceivedReferral, ReferralStatus, ensure_can_be_accepted
from hub_agency.domain import Rejected
from hub_contracts.codes import PrimaryNeed, RagRating, ReferralSource
from hub_contracts.events import ReferralToEarlyHelp, StepDownRequested
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from pydantic import ValidationError

OPENED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
CHILD: dict[str, Any] = {
    "agency_person_id": "EH-P-1",
    "given_name": "Leo",
    "family_name": "Carter",
    "date_of_birth": "2019-11-02",
    "nhs_number": "9434770009",
}


def _episode(**overrides: Any) -> Episode:
    body: dict[str, Any] = {
        "record_id": "EP-1",
        "child": CHILD,
        "household": [
            {
                "given_name": "Sam",
                "family_name": "Carter",
                "relationship_to_child": "mother",
                "lives_with_child": True,
            }
        ],
        "lead_professional_role": "family support worker",
        "team": "stockton-north",
        "primary_need": "N3",
        "opened_at": OPENED.isoformat(),
    }
    body.update(overrides)
    return Episode.open(EpisodeRecord.model_validate(body))


def _closure(closed_at: datetime = datetime(2026, 11, 20, tzinfo=UTC)) -> EpisodeClosureRecord:
    return EpisodeClosureRecord(
        record_id="CL-1",
        episode_id="EP-1",
        closure_reason="outcomes-achieved",
        summary="Things improved.",
        closed_by="role:eh-manager",
        closed_at=closed_at,
    )


def _step_up(record_id: str = "SU-1") -> StepUpRequestRecord:
    return StepUpRequestRecord(
        record_id=record_id,
        episode_id="EP-1",
        reason="Neglect concerns escalated.",
        primary_need=PrimaryNeed.N1,
        requested_by="role:eh-manager",
        requested_at=datetime(2026, 11, 15, tzinfo=UTC),
    )


def test_an_opened_episode_closes_once() -> None:
    episode = _episode()
    assert episode.status is EpisodeStatus.OPEN
    closed = episode.close(_closure())
    assert closed.status is EpisodeStatus.CLOSED
    assert closed.closure_id == "CL-1"
    assert closed.child == episode.child
    with pytest.raises(Rejected) as again:
        closed.close(_closure())
    assert (again.value.reason, again.value.status) == ("episode-not-open", 409)


def test_an_episode_cannot_close_before_it_opened() -> None:
    with pytest.raises(Rejected) as refused:
        _episode().close(_closure(datetime(2026, 11, 1, tzinfo=UTC)))
    assert (refused.value.reason, refused.value.status) == ("closed-before-opened", 422)


def test_only_an_open_episode_is_stepped_up_and_each_request_is_noted() -> None:
    stepped = _episode().step_up(_step_up("SU-1")).step_up(_step_up("SU-2"))
    assert stepped.step_up_request_ids == ("SU-1", "SU-2")
    with pytest.raises(Rejected) as refused:
        _episode().close(_closure()).step_up(_step_up())
    assert refused.value.reason == "episode-not-open"


def test_an_unknown_episode_is_refused_as_unprocessable() -> None:
    with pytest.raises(Rejected) as refused:
        episode_or_refuse(None, "EP-404")
    assert (refused.value.reason, refused.value.status) == ("unknown-episode", 422)
    episode = _episode()
    assert episode_or_refuse(episode, "EP-1") is episode


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        (None, "unknown-referral", 422),
        (ReferralStatus.ACCEPTED.value, "referral-already-accepted", 409),
        (ReferralStatus.CONSENT_WITHDRAWN.value, "referral-consent-withdrawn", 409),
    ],
)
def test_a_referral_is_accepted_only_while_awaiting_allocation(
    status: str | None, reason: str, code: int
) -> None:
    ensure_can_be_accepted("R-1", ReferralStatus.AWAITING_ALLOCATION.value)
    with pytest.raises(Rejected) as refused:
        ensure_can_be_accepted("R-1", status)
    assert (refused.value.reason, refused.value.status) == (reason, code)


def test_records_refuse_invalid_identifiers_and_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        _episode(child={**CHILD, "nhs_number": "9434770008"})
    with pytest.raises(ValidationError):
        _episode(team_name="not a field")


def test_the_hub_is_told_team_role_dates_and_need_but_not_the_story() -> None:
    open_summary = fact_summary(_episode(), "Stockton North Family Hub")
    assert open_summary == (
        "Early help episode open; opened 2026-11-02; team Stockton North Family Hub "
        "(stockton-north); lead professional: family support worker; primary need N3."
    )
    closed = fact_summary(_episode(primary_need=None).close(_closure()), None)
    assert "closed 2026-11-20 (outcomes-achieved)" in closed
    assert "team stockton-north;" in closed
    assert "Things improved" not in closed
    assert "Sam" not in closed


def test_received_referrals_keep_sender_child_reason_and_consent() -> None:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    hub = ReceivedReferral.from_hub(
        ReferralToEarlyHelp(
            referral_id="REF-1",
            contact_id="C-1",
            referral_source=ReferralSource.SCHOOLS,
            child=CHILD,
            reason="Family asking for parenting support.",
            rag_rating=RagRating.GREEN,
            referred_by="user:hub-0042",
            referred_at=at,
            consent_id="CONS-1",
        ),
        producer="front-door",
        sharing=SharingBasis(
            lawful_basis=LawfulBasis.CONSENT, purpose=Purpose.REFERRAL, consent_ref="CONS-1"
        ),
        event_id="ev-1",
        received_at=at,
    )
    assert hub.status is ReferralStatus.AWAITING_ALLOCATION
    assert (hub.kind, hub.sent_by_service, hub.sent_by) == (
        "referral-to-early-help",
        "front-door",
        "user:hub-0042",
    )
    assert (hub.consent_id, hub.sharing_consent_ref) == ("CONS-1", "CONS-1")
    step_down = ReceivedReferral.from_step_down(
        StepDownRequested(
            request_id="SD-1",
            case_id="SC-CASE-1",
            child=CHILD,
            reason="CIN plan ended; family support still needed.",
            requested_by="user:sc-0007",
            requested_at=at,
        ),
        producer="social-care",
        sharing=SharingBasis(lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.REFERRAL),
        event_id="ev-2",
        received_at=at,
    )
    assert (step_down.referral_id, step_down.origin_reference) == ("SD-1", "SC-CASE-1")
    assert step_down.lawful_basis is LawfulBasis.PUBLIC_TASK
    assert step_down.sharing_consent_ref is None
