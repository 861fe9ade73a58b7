"""NHS numbers (Modulus 11) and unique pupil numbers (modulo 23 check letter)."""

from __future__ import annotations

import pytest
from hub_contracts.events import ChildAsStated
from hub_contracts.identifiers import (
    is_valid_nhs_number,
    is_valid_upn,
    nhs_check_digit,
    normalise_nhs_number,
    normalise_upn,
    upn_check_letter,
)
from pydantic import ValidationError


@pytest.mark.parametrize("value", ["9434765919", "4010232137", "943 476 5919", "4857773457"])
def test_valid_nhs_numbers_are_accepted(value: str) -> None:
    assert is_valid_nhs_number(value)
    assert normalise_nhs_number(value) == value.replace(" ", "")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9434765918", "check digit should be 9"),  # wrong check digit
        ("0000000060", "gives 10"),  # 6 * 2 = 12; 11 - (12 mod 11) = 10: never issued
        ("943476591", "10 digits"),  # too short
        ("94347659190", "10 digits"),  # too long
        ("94347A5919", "10 digits"),  # a letter
        ("", "10 digits"),
    ],
)
def test_invalid_nhs_numbers_are_refused_with_a_reason(value: str, message: str) -> None:
    assert not is_valid_nhs_number(value)
    with pytest.raises(ValueError, match=message):
        normalise_nhs_number(value)


def test_check_digit_edge_cases() -> None:
    # 5 * 2 = 10; 11 - (10 mod 11) = 1
    assert nhs_check_digit("000000005") == 1
    # 6 * 2 = 12; 11 - (12 mod 11) = 10: no check digit is valid
    assert nhs_check_digit("000000006") is None
    # a sum divisible by 11 gives 11, which means a check digit of 0
    assert nhs_check_digit("000000000") == 0
    assert nhs_check_digit("943476591") == 9


def test_non_strings_are_not_nhs_numbers() -> None:
    assert not is_valid_nhs_number(9434765919)
    assert not is_valid_nhs_number(None)


def test_models_normalise_and_enforce_nhs_numbers() -> None:
    child = ChildAsStated(
        agency_person_id="x", given_name="A", family_name="B", nhs_number="943 476 5919"
    )
    assert child.nhs_number == "9434765919"
    with pytest.raises(ValidationError, match="check digit should be 9"):
        ChildAsStated(
            agency_person_id="x", given_name="A", family_name="B", nhs_number="9434765918"
        )


@pytest.mark.parametrize("value", ["B801200005001", "P207000016049", "q808200124123"])
def test_valid_upns_are_accepted(value: str) -> None:
    assert is_valid_upn(value)
    assert normalise_upn(value) == value.upper()


def test_temporary_upns_count_their_final_letter() -> None:
    rest = "80820012412A"
    upn = upn_check_letter(rest) + rest
    assert is_valid_upn(upn)
    # the final letter counts as its index in the check alphabet (A = 0)
    assert upn_check_letter(rest) == upn_check_letter("808200124120")


@pytest.mark.parametrize(
    "value",
    [
        "A801200005001",  # wrong check letter
        "B207000016049",  # sum 266, mod 23 = 13, so the check letter is P
        "B80120000500",  # too short
        "I801200005001",  # I is never a check letter
        "B80120000A001",  # letters only at the end
        "B80120000500S",  # S never used
    ],
)
def test_invalid_upns_are_refused(value: str) -> None:
    assert not is_valid_upn(value)
    with pytest.raises(ValueError, match="UPN"):
        normalise_upn(value)
