"""However alike a burst of children, what intake suggests stays bounded: each new
person's best K candidates, and a shared budget of writes where each keeps its best first."""

from __future__ import annotations

from datetime import date

from front_door.domain.identity import (
    MatchResult,
    PersonDetails,
    Scored,
    best_candidates,
    candidates_for,
    share_budget,
)
from front_door.settings import FrontDoorSettings

BORN = date(2017, 5, 14)
SURNAMES = ("Thompson", "Thomson", "Tompson", "Thomsen", "Thompsen", "Tomson", "Thomason")


def _child(person_id: str, family: str) -> PersonDetails:
    return PersonDetails(person_id, "Olivia", family, BORN, "female")


def _scored(person_id: str, score: float) -> Scored:
    return (PersonDetails(person_id), MatchResult(score=score))


def test_a_new_person_gets_only_its_best_k_candidates_best_score_first() -> None:
    new = _child("HP-new", "Thompson")
    existing = [_child(f"HP-{i:02d}", s) for i, s in enumerate(SURNAMES * 3)]

    everyone = candidates_for(new, existing)
    best = candidates_for(new, existing, limit=5)

    assert len(everyone) == len(existing)  # every one of them is worth a look ...
    assert best == everyone[:5]  # ... but only the best five are suggested
    assert [r.score for _, r in best] == sorted((r.score for _, r in everyone), reverse=True)[:5]
    # the three with the exact surname first, in person id order
    assert [p.person_id for p, _ in best[:3]] == ["HP-00", "HP-07", "HP-14"]


def test_ties_are_broken_by_person_id_whatever_the_order_they_came_in() -> None:
    tied = [_scored(f"HP-{c}", 0.8) for c in "dbeac"]

    assert [p.person_id for p, _ in best_candidates(tied, 3)] == ["HP-a", "HP-b", "HP-c"]
    assert best_candidates(tied, 3) == best_candidates(list(reversed(tied)), 3)
    assert [p.person_id for p, _ in best_candidates([*tied, _scored("HP-z", 0.9)], 2)] == [
        "HP-z",
        "HP-a",
    ]


def test_pairs_below_the_threshold_are_never_kept_however_few_there_are() -> None:
    assert best_candidates([_scored("HP-a", 0.2), _scored("HP-b", 0.6)], 5) == [
        _scored("HP-b", 0.6)
    ]
    assert best_candidates([_scored("HP-a", 0.9)], 0) == []


def test_within_budget_everything_is_kept() -> None:
    ranked = [[_scored("HP-a", 0.9), _scored("HP-b", 0.8)], [_scored("HP-c", 0.7)]]

    assert share_budget(ranked, 3) == ranked
    assert share_budget(ranked, 10) == ranked


def test_past_the_budget_every_person_keeps_its_best_before_anyone_keeps_a_second() -> None:
    first = [_scored("HP-a", 0.95), _scored("HP-b", 0.94), _scored("HP-c", 0.93)]
    second = [_scored("HP-d", 0.6), _scored("HP-e", 0.59)]
    third = [_scored("HP-f", 0.7), _scored("HP-g", 0.69)]

    kept = share_budget([first, second, third], 4)

    # each keeps its best; the fourth place goes to the best second candidate
    assert kept == [first[:2], second[:1], third[:1]]
    assert sum(len(k) for k in kept) == 4
    assert share_budget([first, second, third], 2) == [first[:1], [], third[:1]]
    assert share_budget([first, second], 0) == [[], []]


def test_the_bounds_are_settings_with_defaults_k_5_and_2500_writes_per_transaction() -> None:
    defaults = FrontDoorSettings().candidate_limits
    assert (defaults.per_person, defaults.per_transaction) == (5, 2_500)
    chosen = FrontDoorSettings.model_validate(
        {"HUB_MAX_CANDIDATES_PER_PERSON": "3", "HUB_MAX_CANDIDATE_WRITES_PER_TRANSACTION": "40"}
    ).candidate_limits
    assert (chosen.per_person, chosen.per_transaction) == (3, 40)
