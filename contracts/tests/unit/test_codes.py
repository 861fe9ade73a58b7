"""The code lists match the DfE / Standard Safeguarding Dataset reference file both ways."""

from __future__ import annotations

from enum import StrEnum
from importlib import resources

import pytest
import yaml
from hub_contracts.codes import (
    DESCRIPTIONS,
    HUB_CONTACT_OUTCOMES,
    CategoryOfAbuse,
    CinClosureReason,
    CodeList,
    ContactOutcome,
    PrimaryNeed,
    RagRating,
    ReferralSource,
    SendType,
)

CODES_YAML = resources.files("hub_contracts").joinpath("reference", "codes.yaml")
"""The reference code lists, kept in the repository (their source is noted in the file)."""


def _values(enum: type[StrEnum]) -> set[str]:
    return {m.value for m in enum}


def test_enums_hold_exactly_the_reference_codes() -> None:
    ref = yaml.safe_load(CODES_YAML.read_text("utf-8"))
    assert _values(ReferralSource) == {str(k) for k in ref["referral_source"]}
    ssd_outcomes = _values(ContactOutcome) - {o.value for o in HUB_CONTACT_OUTCOMES}
    assert ssd_outcomes == set(ref["contact_outcome"])
    assert _values(PrimaryNeed) == set(ref["primary_need"])
    assert _values(CategoryOfAbuse) == set(ref["category_of_abuse"])
    assert _values(SendType) == set(ref["send_type"])
    # and the meanings agree with the reference wording
    for code, meaning in ref["referral_source"].items():
        assert ReferralSource(str(code)).description == meaning
    for code, meaning in ref["primary_need"].items():
        assert PrimaryNeed(code).description == meaning
    for code, meaning in ref["send_type"].items():
        assert SendType(code).description == meaning


def test_the_hub_addition_to_contact_outcomes_is_the_s47_route() -> None:
    assert ContactOutcome("Strategy Discussion") in HUB_CONTACT_OUTCOMES
    assert "Hub addition" in ContactOutcome.STRATEGY_DISCUSSION.description


@pytest.mark.parametrize("enum", list(DESCRIPTIONS))
def test_every_code_has_a_meaning(enum: type[CodeList]) -> None:
    assert set(DESCRIPTIONS[enum]) == set(enum)
    assert all(member.description for member in enum)


def test_rag_ratings_and_closure_reasons() -> None:
    assert [r.value for r in RagRating] == ["red", "amber", "green"]
    assert RagRating.RED.description == "Screen within 4 hours"
    assert CinClosureReason.RC9.description.endswith("referred to early help")
