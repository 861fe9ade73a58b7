"""Identifiers a child carries at the agencies: NHS number and unique pupil number.

Both carry a check character, so a mistyped identifier is refused at the edge
instead of linking a child to somebody else's record.

- NHS number: 10 digits, the last a Modulus 11 check digit (weights 10..2 on
  digits 1-9; check = 11 - (sum mod 11); 11 means 0; 10 means invalid).
- UPN (DfE unique pupil number; UK Government Data Standards Catalogue,
  "Unique Pupil Number" v2.0): a check letter, then 11 digits, then a digit
  (permanent UPN) or a letter (temporary UPN). The check letter is the sum of
  characters 2-13 times their position (2..13), modulo 23, as a letter of
  ``ABCDEFGHJKLMNPQRTUVWXYZ`` (no I, O or S); a final letter counts as its
  index in the same alphabet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

_NHS_RE = re.compile(r"^[0-9]{10}$")
_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""The 23 letters a UPN check letter (or temporary UPN's last character) may be."""
UPN_PATTERN = r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$"
_UPN_RE = re.compile(UPN_PATTERN)


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no digit is valid (10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def normalise_nhs_number(value: str) -> str:
    """The 10 digits of a valid NHS number (spaces allowed in input), else ValueError."""
    digits = value.replace(" ", "")
    if not _NHS_RE.fullmatch(digits):
        raise ValueError("an NHS number is 10 digits (spaces allowed, e.g. '943 476 5919')")
    check = nhs_check_digit(digits[:9])
    if check is None:
        raise ValueError("not a valid NHS number: its Modulus 11 check gives 10 (never issued)")
    if check != int(digits[9]):
        raise ValueError(f"not a valid NHS number: check digit should be {check}, not {digits[9]}")
    return digits


def _is_valid(normalise: Callable[[str], str], value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        normalise(value)
    except ValueError:
        return False
    return True


def _before(normalise: Callable[[str], str]) -> Callable[[object], object]:
    """A pydantic pre-validator: strings are normalised (or refused); others left to pydantic."""

    def validate(value: object) -> object:
        return normalise(value) if isinstance(value, str) else value

    return validate


def is_valid_nhs_number(value: object) -> bool:
    """True for a well-formed NHS number with the right check digit."""
    return _is_valid(normalise_nhs_number, value)


NhsNumber = Annotated[
    str,
    BeforeValidator(_before(normalise_nhs_number)),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{10}$",
            "description": "NHS number: 10 digits, the last a Modulus 11 check digit.",
            "examples": ["9434765919"],
        }
    ),
]
"""An NHS number: spaces are removed, the Modulus 11 check digit is enforced."""


def upn_check_letter(rest: str) -> str:
    """The check letter for the 12 characters after it (11 digits then a digit or letter)."""
    total = 0
    for position, char in enumerate(rest, start=2):
        value = int(char) if char.isdigit() else UPN_ALPHABET.index(char)
        total += value * position
    return UPN_ALPHABET[total % 23]


def normalise_upn(value: str) -> str:
    """A valid UPN in upper case, else ValueError."""
    upn = value.strip().upper()
    if not _UPN_RE.fullmatch(upn):
        raise ValueError(
            "a UPN is 13 characters: a check letter, 11 digits, then a digit or letter "
            "(never I, O or S)"
        )
    expected = upn_check_letter(upn[1:])
    if upn[0] != expected:
        raise ValueError(f"not a valid UPN: check letter should be {expected}, not {upn[0]}")
    return upn


def is_valid_upn(value: object) -> bool:
    """True for a well-formed UPN with the right check letter."""
    return _is_valid(normalise_upn, value)


Upn = Annotated[
    str,
    BeforeValidator(_before(normalise_upn)),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": UPN_PATTERN,
            "description": "DfE unique pupil number, with its modulo 23 check letter.",
            "examples": ["B801200005001"],
        }
    ),
]
"""A unique pupil number: upper-cased, format and DfE check letter enforced."""
