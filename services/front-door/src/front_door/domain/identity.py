"""Candidate matching of hub persons: pure rules, no I/O.

Deterministic links (a verified NHS number, an agency id already linked) are
made by the person index itself. Everything weaker is scored here and only
ever *suggested*: a hub person confirms or rejects; nothing merges on its own.

The scorer compares given name, family name, date of birth, sex and address
and keeps the evidence (which fields agreed, and how) next to the score:

- given names agree exactly, as nicknames or variants (William/Bill,
  Katherine/Katie: the ``nicknames`` dataset plus a short table of British
  diminutives it lacks), or with a typo (Jaro-Winkler >= 0.9 from
  ``rapidfuzz``; it rewards a shared start, which suits short names);
- family names may differ (a child whose family name changed keeps given
  name, date of birth, sex and address), at a small cost;
- a date of birth with day and month transposed, or one digit wrong, still
  counts for something;
- twins (same date of birth, address and family name) are kept apart by a
  given name that does not agree, which costs more than all the rest gives;
- two different verified NHS numbers are never the same child; an NHS number
  that fails its Modulus 11 check is treated as absent.

Blocking: each person carries ``match_keys`` (date of birth with day and
month in order, so a transposed date shares the key; and family-name prefix
with each given-name key, nicknames mapped to their canonical names), so a
new person is compared with a handful of persons, never with everyone.

Bounds: a new person keeps only its best few candidates (``best_candidates``,
highest score first, ties by person id), and a run of new persons shares a
budget of candidate writes so that every person keeps its best candidate
before any keeps its second (``share_budget``). However alike a burst of
children is, what one transaction writes stays small.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

from hub_contracts.identifiers import is_valid_nhs_number, normalise_nhs_number
from nicknames import NickNamer
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

NAME_TYPO_SIMILARITY = 0.9
"""Least Jaro-Winkler similarity for two different spellings to count as one name."""
SHARED_FORM_SIMILARITY = 0.75
"""Least Jaro-Winkler similarity of two short forms of one formal name to count as one."""
ADDRESS_LINE_SIMILARITY = 85.0
"""Least token-sort ratio (0-100) of two first address lines to count as one address."""
CANDIDATE_THRESHOLD = 0.55
"""Least score (0-1) for a pair to be suggested as a potential duplicate."""

BRITISH_DIMINUTIVES: Mapping[str, tuple[str, ...]] = {
    "alfie": ("alfred",),
    "archie": ("archibald",),
    "charlie": ("charles", "charlotte"),
    "ellie": ("eleanor", "elena", "ellen", "elizabeth"),
    "evie": ("eve", "evelyn"),
    "freddie": ("frederick", "alfred"),
    "harry": ("henry", "harold", "harrison"),
    "izzy": ("isabel", "isabella", "isobel", "elizabeth"),
    "jamie": ("james",),
    "katie": ("katherine", "catherine", "kathryn"),
    "kitty": ("katherine", "catherine"),
    "lexi": ("alexandra", "alexa"),
    "libby": ("elizabeth",),
    "lottie": ("charlotte",),
    "maisie": ("margaret",),
    "millie": ("amelia", "emily", "camilla", "millicent"),
    "ollie": ("oliver", "olivia"),
    "poppy": ("penelope",),
    "teddy": ("edward", "theodore"),
    "theo": ("theodore",),
    "tilly": ("matilda",),
}
"""Diminutives common for children in England that the ``nicknames`` dataset lacks."""


class Agreement(StrEnum):
    """How one field of two person records compares (the evidence, without values)."""

    EXACT = "exact"
    SAME = "same"
    NICKNAME = "nickname"
    TYPO = "typo"
    PARTIAL = "partial"
    TRANSPOSED = "transposed"
    NEAR = "near"
    SAME_POSTCODE = "same-postcode"
    SIMILAR_LINE = "similar-line"
    DIFFERENT = "different"
    MISSING = "missing"
    ABSENT = "absent"
    INVALID_IGNORED = "invalid-ignored"


WEIGHTS: Mapping[str, Mapping[Agreement, float]] = {
    "given_name": {
        Agreement.EXACT: 4.0,
        Agreement.NICKNAME: 3.0,
        Agreement.TYPO: 2.5,
        Agreement.PARTIAL: 2.5,
        Agreement.DIFFERENT: -4.0,
    },
    "family_name": {
        Agreement.EXACT: 3.0,
        Agreement.TYPO: 2.0,
        Agreement.PARTIAL: 2.0,
        Agreement.DIFFERENT: -1.0,  # families change names; cheap, not free
    },
    "date_of_birth": {
        Agreement.EXACT: 4.0,
        Agreement.TRANSPOSED: 2.5,
        Agreement.NEAR: 1.5,
        Agreement.DIFFERENT: -6.0,
    },
    "sex": {Agreement.SAME: 0.5, Agreement.DIFFERENT: -2.0},
    "address": {
        Agreement.SAME: 2.0,
        Agreement.SAME_POSTCODE: 1.5,
        Agreement.SIMILAR_LINE: 1.0,
        Agreement.DIFFERENT: -0.5,  # families move
    },
}
"""Points per field and agreement (absent entries score 0)."""
MAX_POINTS = sum(max(w.values()) for w in WEIGHTS.values())


@dataclass(frozen=True)
class PersonDetails:
    """What the matcher compares: a person as the hub holds them."""

    person_id: str
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    nhs_number: str | None = None
    """As stated; only a valid NHS number (Modulus 11) counts."""
    postcode: str | None = None
    address_line: str | None = None
    uprn: str | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> PersonDetails:
        """From a ``persons`` document (``date_of_birth`` ISO text, ``address`` as stated)."""
        address = doc.get("address") or {}
        dob = doc.get("date_of_birth")
        lines = address.get("lines") or ()
        return cls(
            person_id=str(doc["_id"]),
            given_name=doc.get("given_name"),
            family_name=doc.get("family_name"),
            date_of_birth=date.fromisoformat(dob) if isinstance(dob, str) else dob,
            sex=doc.get("sex"),
            nhs_number=doc.get("nhs_number"),
            postcode=address.get("postcode"),
            address_line=lines[0] if lines else None,
            uprn=address.get("uprn"),
        )

    @property
    def verified_nhs_number(self) -> str | None:
        return _verified_nhs_number(self.nhs_number) if self.nhs_number else None


@lru_cache(maxsize=16384)
def _verified_nhs_number(stated: str) -> str | None:
    return normalise_nhs_number(stated) if is_valid_nhs_number(stated) else None


@dataclass(frozen=True)
class MatchResult:
    """The score of a pair (0-1), the evidence per field, and whether to suggest it."""

    score: float
    evidence: dict[str, str] = field(default_factory=dict)
    excluded: bool = False
    """True when the pair may never be the same child (different verified NHS numbers)."""

    @property
    def is_candidate(self) -> bool:
        return not self.excluded and self.score >= CANDIDATE_THRESHOLD

    def summary(self) -> str:
        """The evidence as text without any value, e.g. 'given_name=nickname; ...'."""
        return "; ".join(f"{k}={v}" for k, v in self.evidence.items())


# --- names -------------------------------------------------------------------------


def normalise_name(name: str | None) -> str:
    """Lower case, accents and punctuation removed, hyphens as spaces."""
    if not name:
        return ""
    return _normalised(name)


@lru_cache(maxsize=16384)  # scoring a block normalises the same few names again and again
def _normalised(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[-_/]+", " ", text)
    text = re.sub(r"[^a-z ]+", "", text)
    return " ".join(text.split())


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@cache
def canonical_names(name: str) -> frozenset[str]:
    """The name itself and the formal names it may be short for (normalised input)."""
    names = {name, *_nicknamer().canonicals_of(name), *BRITISH_DIMINUTIVES.get(name, ())}
    return frozenset(n for n in names if n)


def _direct_nicknames(name: str) -> frozenset[str]:
    extra = {short for short, longs in BRITISH_DIMINUTIVES.items() if name in longs}
    return frozenset({*_nicknamer().nicknames_of(name), *extra})


def are_name_variants(a: str, b: str) -> bool:
    """True when one given name is a nickname of the other, or both of one formal name."""
    if a == b:
        return True
    if b in _direct_nicknames(a) or a in _direct_nicknames(b):
        return True
    if a in canonical_names(b) or b in canonical_names(a):
        return True
    # two short forms of one formal name (Kate/Katie, Bill/Will) must also look alike:
    # otherwise Ellie and Izzy (both Elizabeth) would pass for one twin
    shared = canonical_names(a) & canonical_names(b)
    return bool(shared) and JaroWinkler.normalized_similarity(a, b) >= SHARED_FORM_SIMILARITY


def _similar(a: str, b: str) -> bool:
    return JaroWinkler.normalized_similarity(a, b) >= NAME_TYPO_SIMILARITY


def compare_given_names(a: str | None, b: str | None) -> Agreement:
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return Agreement.MISSING
    if left == right:
        return Agreement.EXACT
    first_left, first_right = left.split()[0], right.split()[0]
    if are_name_variants(first_left, first_right):
        return Agreement.NICKNAME if first_left != first_right else Agreement.PARTIAL
    if _similar(left, right) or _similar(first_left, first_right):
        return Agreement.TYPO
    return Agreement.DIFFERENT


def compare_family_names(a: str | None, b: str | None) -> Agreement:
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return Agreement.MISSING
    if left == right:
        return Agreement.EXACT
    if left.replace(" ", "") == right.replace(" ", "") or _similar(left, right):
        return Agreement.TYPO
    if set(left.split()) & set(right.split()):  # double-barrelled, one part kept
        return Agreement.PARTIAL
    return Agreement.DIFFERENT


# --- date of birth, sex, address -----------------------------------------------------


def _one_digit_apart(a: int, b: int, width: int) -> bool:
    left, right = f"{a:0{width}d}", f"{b:0{width}d}"
    diffs = [i for i in range(width) if left[i] != right[i]]
    if len(diffs) == 1:
        return True
    return (  # two neighbouring digits swapped: 13 <-> 31, 2016 <-> 2061
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and left[diffs[0]] == right[diffs[1]]
        and left[diffs[1]] == right[diffs[0]]
    )


def compare_dates_of_birth(a: date | None, b: date | None) -> Agreement:
    if a is None or b is None:
        return Agreement.MISSING
    if a == b:
        return Agreement.EXACT
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return Agreement.TRANSPOSED
    differing = [
        (x, y, w)
        for x, y, w in ((a.year, b.year, 4), (a.month, b.month, 2), (a.day, b.day, 2))
        if x != y
    ]
    if len(differing) == 1 and _one_digit_apart(*differing[0]):
        return Agreement.NEAR
    return Agreement.DIFFERENT


def compare_sex(a: str | None, b: str | None) -> Agreement:
    known = {"male", "female"}
    if a not in known or b not in known:
        return Agreement.MISSING
    return Agreement.SAME if a == b else Agreement.DIFFERENT


def _postcode(value: str | None) -> str:
    return (value or "").replace(" ", "").upper()


def compare_addresses(a: PersonDetails, b: PersonDetails) -> Agreement:
    if a.uprn and b.uprn:
        return Agreement.SAME if a.uprn == b.uprn else Agreement.DIFFERENT
    line_a, line_b = normalise_name(a.address_line), normalise_name(b.address_line)
    lines_agree = bool(line_a and line_b) and (
        fuzz.token_sort_ratio(line_a, line_b) >= ADDRESS_LINE_SIMILARITY
    )
    post_a, post_b = _postcode(a.postcode), _postcode(b.postcode)
    if post_a and post_b:
        if post_a != post_b:
            return Agreement.DIFFERENT
        return Agreement.SAME if lines_agree else Agreement.SAME_POSTCODE
    if lines_agree:
        return Agreement.SIMILAR_LINE
    if line_a and line_b:
        return Agreement.DIFFERENT
    return Agreement.MISSING


def compare_nhs_numbers(a: PersonDetails, b: PersonDetails) -> Agreement:
    left, right = a.verified_nhs_number, b.verified_nhs_number
    if left and right:
        return Agreement.SAME if left == right else Agreement.DIFFERENT
    stated_invalid = any(p.nhs_number and not p.verified_nhs_number for p in (a, b))
    return Agreement.INVALID_IGNORED if stated_invalid else Agreement.ABSENT


# --- the scorer ----------------------------------------------------------------------


def score_pair(new: PersonDetails, existing: PersonDetails) -> MatchResult:
    """How likely two person records are one child, with the evidence per field."""
    evidence = {
        "given_name": compare_given_names(new.given_name, existing.given_name),
        "family_name": compare_family_names(new.family_name, existing.family_name),
        "date_of_birth": compare_dates_of_birth(new.date_of_birth, existing.date_of_birth),
        "sex": compare_sex(new.sex, existing.sex),
        "address": compare_addresses(new, existing),
        "nhs_number": compare_nhs_numbers(new, existing),
    }
    text = {k: v.value for k, v in evidence.items()}
    nhs = evidence["nhs_number"]
    if nhs is Agreement.DIFFERENT:
        return MatchResult(score=0.0, evidence=text, excluded=True)
    if nhs is Agreement.SAME:
        return MatchResult(score=1.0, evidence=text)
    points = sum(WEIGHTS[f].get(a, 0.0) for f, a in evidence.items() if f in WEIGHTS)
    score = round(max(0.0, min(1.0, points / MAX_POINTS)), 3)
    return MatchResult(score=score, evidence=text)


# --- blocking ----------------------------------------------------------------------


def blocking_keys(person: PersonDetails) -> list[str]:
    """Keys under which ``person`` is found: a match must share at least one.

    ``dob:YYYY-LO-HI`` (day and month in order, so a transposed date shares it)
    and ``name:<family prefix>:<given key>`` for each family-name part and each
    formal name the given name may stand for.
    """
    keys: set[str] = set()
    dob = person.date_of_birth
    if dob is not None:
        low, high = sorted((dob.month, dob.day))
        keys.add(f"dob:{dob.year:04d}-{low:02d}-{high:02d}")
    family = normalise_name(person.family_name).split()
    given = normalise_name(person.given_name).split()
    if family and given:
        for part in family:
            for name in canonical_names(given[0]):
                keys.add(f"name:{part[:4]}:{name}")
    return sorted(keys)


Scored = tuple[PersonDetails, MatchResult]
"""An existing person and how it scored against a new one."""


def _rank(pair: Scored) -> tuple[float, str]:
    """Best first: the higher score, then (a tie) the lower person id, so the order is stable."""
    return (-pair[1].score, pair[0].person_id)


def best_candidates(scored: Iterable[Scored], limit: int | None = None) -> list[Scored]:
    """The pairs worth suggesting, best first (score, then person id); at most ``limit``."""
    found = [pair for pair in scored if pair[1].is_candidate]
    if limit is None:
        return sorted(found, key=_rank)
    return heapq.nsmallest(max(limit, 0), found, key=_rank)


def candidates_for(
    new: PersonDetails, existing: Iterable[PersonDetails], limit: int | None = None
) -> list[Scored]:
    """The existing persons worth suggesting as ``new``'s duplicates, best first.

    With ``limit``, only that many: the best scores, ties broken by person id.
    """
    scored = ((p, score_pair(new, p)) for p in existing if p.person_id != new.person_id)
    return best_candidates(scored, limit)


def share_budget(ranked: Sequence[Sequence[Scored]], budget: int) -> list[list[Scored]]:
    """At most ``budget`` candidates in all from several new persons' lists (each best first).

    Every person keeps its best candidate before any person keeps its second, and
    so on; within one rank the higher score wins, then the earlier person. So each
    person keeps a prefix of its list: its best candidates.
    """
    if sum(len(r) for r in ranked) <= budget:
        return [list(r) for r in ranked]
    order = sorted(
        (rank, -pair[1].score, person)
        for person, candidates in enumerate(ranked)
        for rank, pair in enumerate(candidates)
    )
    kept = Counter(person for _, _, person in order[: max(budget, 0)])
    return [list(r[: kept[person]]) for person, r in enumerate(ranked)]
