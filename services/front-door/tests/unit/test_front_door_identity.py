"""The candidate matcher on pairs of person records: what it tolerates, what it keeps apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from front_door.domain.identity import (
    CANDIDATE_THRESHOLD,
    PersonDetails,
    are_name_variants,
    blocking_keys,
    candidates_for,
    compare_dates_of_birth,
    score_pair,
)

KATHERINE = PersonDetails(
    person_id="HP-existing",
    given_name="Katherine",
    family_name="Hart",
    date_of_birth=date(2016, 3, 1),
    sex="female",
    postcode="TS24 7AB",
    address_line="12 Marine Drive",
)
WILLIAM = replace(KATHERINE, person_id="HP-william", given_name="William", sex="male")
VALID_NHS = "9434765919"
OTHER_VALID_NHS = "4010232137"


def stated(base: PersonDetails, **changes: object) -> PersonDetails:
    """The same child as another agency states them (its own record, a new person)."""
    return replace(base, person_id="HP-new", **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("base", "given"),
    [(KATHERINE, "Katie"), (KATHERINE, "Kate"), (WILLIAM, "Bill"), (WILLIAM, "Billy")],
)
def test_a_nickname_is_a_candidate_and_the_evidence_says_nickname(
    base: PersonDetails, given: str
) -> None:
    result = score_pair(stated(base, given_name=given), base)
    assert result.is_candidate
    assert result.evidence["given_name"] == "nickname"
    assert "Hart" not in result.summary()  # evidence carries no values


def test_spelling_variants_and_typos_in_names_are_tolerated() -> None:
    for changes in (
        {"given_name": "Catherine"},
        {"given_name": "Kathrine"},
        {"family_name": "Hartt"},
        {"given_name": "KATHERINE", "family_name": " hart "},
    ):
        assert score_pair(stated(KATHERINE, **changes), KATHERINE).is_candidate, changes


def test_day_and_month_transposed_still_match_and_share_a_blocking_key() -> None:
    flipped = stated(KATHERINE, date_of_birth=date(2016, 1, 3))
    result = score_pair(flipped, KATHERINE)
    assert result.is_candidate
    assert result.evidence["date_of_birth"] == "transposed"
    assert set(blocking_keys(flipped)) & set(blocking_keys(KATHERINE))


def test_a_date_of_birth_one_digit_out_is_near_and_anything_else_different() -> None:
    assert compare_dates_of_birth(date(2016, 3, 1), date(2016, 3, 11)) == "near"
    assert compare_dates_of_birth(date(2016, 3, 1), date(2015, 3, 1)) == "near"
    assert compare_dates_of_birth(date(2016, 3, 1), date(2012, 7, 19)) == "different"


def test_a_child_whose_family_name_changed_is_still_suggested() -> None:
    renamed = stated(KATHERINE, family_name="Robson")
    result = score_pair(renamed, KATHERINE)
    assert result.is_candidate
    assert result.evidence["family_name"] == "different"
    assert score_pair(stated(KATHERINE, family_name="Hart-Robson"), KATHERINE).is_candidate
    # found through the date of birth block, though the name keys differ
    assert set(blocking_keys(renamed)) & set(blocking_keys(KATHERINE))


def test_twins_are_kept_apart() -> None:
    twin = stated(KATHERINE, given_name="Emily")
    result = score_pair(twin, KATHERINE)
    assert not result.is_candidate
    assert result.evidence["given_name"] == "different"
    # rhyming and look-alike twin names are not typos of each other
    for a, b in (("Noah", "Nora"), ("Mila", "Lila"), ("Evan", "Ewan"), ("Ellie", "Izzy")):
        pair = score_pair(stated(KATHERINE, given_name=a), replace(KATHERINE, given_name=b))
        assert not pair.is_candidate, (a, b)


def test_two_different_verified_nhs_numbers_are_never_the_same_child() -> None:
    result = score_pair(
        stated(KATHERINE, nhs_number=OTHER_VALID_NHS), replace(KATHERINE, nhs_number=VALID_NHS)
    )
    assert result.excluded
    assert not result.is_candidate
    assert result.evidence["nhs_number"] == "different"


def test_an_invalid_nhs_number_is_treated_as_absent() -> None:
    mistyped = "9434765918"  # fails the Modulus 11 check
    result = score_pair(
        stated(KATHERINE, nhs_number=mistyped), replace(KATHERINE, nhs_number=VALID_NHS)
    )
    assert not result.excluded
    assert result.is_candidate
    assert result.evidence["nhs_number"] == "invalid-ignored"
    assert stated(KATHERINE, nhs_number=mistyped).verified_nhs_number is None


def test_unrelated_children_and_siblings_are_not_candidates() -> None:
    brother = stated(WILLIAM, given_name="Jack", date_of_birth=date(2013, 9, 20))
    stranger = PersonDetails(
        person_id="HP-x",
        given_name="Aisha",
        family_name="Khan",
        date_of_birth=date(2010, 5, 17),
        sex="female",
        postcode="TS18 1AA",
        address_line="4 Yarm Lane",
    )
    assert not score_pair(brother, WILLIAM).is_candidate
    assert not score_pair(stranger, KATHERINE).is_candidate
    assert score_pair(stranger, KATHERINE).score < CANDIDATE_THRESHOLD


def test_candidates_are_best_first_and_never_the_person_itself() -> None:
    katie = stated(KATHERINE, given_name="Katie")
    twin = replace(KATHERINE, person_id="HP-twin", given_name="Emily")
    found = candidates_for(katie, [KATHERINE, twin, katie])
    assert [p.person_id for p, _ in found] == ["HP-existing"]


def test_nickname_table_covers_british_diminutives_and_keeps_unrelated_short_forms_apart() -> None:
    assert are_name_variants("alfie", "alfred")
    assert are_name_variants("ollie", "oliver")
    assert are_name_variants("katie", "katherine")
    assert not are_name_variants("alfie", "freddie")
    assert not are_name_variants("ellie", "izzy")
