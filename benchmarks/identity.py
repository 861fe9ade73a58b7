"""Precision and recall of the front door's candidate matching on a synthetic population.

A deterministic population of children (a few hundred, with twins, siblings
and NHS numbers for some) is indexed; then records of the same and of other
children arrive as another agency would state them, each of one case type:
nicknames, spelling typos, transposed day/month, a digit wrong in the date of
birth, a changed family name, an invalid NHS number, twins, siblings, a
different verified NHS number, unrelated children. Each arriving record is
blocked (``blocking_keys``) and scored (``score_pair``) against the index
exactly as the service does, and the candidates are compared with the truth.

Prints precision, recall, the counts per case type and the run time.

    uv run python benchmarks/identity.py [--seed 20260524] [--children 300]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

# run as a script, this folder comes first on sys.path and its front_door.py (the
# throughput benchmark) would hide the front_door package
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

from front_door.domain.identity import (
    PersonDetails,
    blocking_keys,
    candidates_for,
)
from hub_contracts.identifiers import nhs_check_digit

GIRLS: dict[str, tuple[str, ...]] = {
    "Katherine": ("Katie", "Kate", "Kathy"),
    "Elizabeth": ("Beth", "Lizzie", "Libby"),
    "Charlotte": ("Lottie", "Charlie"),
    "Isabella": ("Izzy", "Bella"),
    "Rebecca": ("Becky", "Becca"),
    "Jessica": ("Jess", "Jessie"),
    "Abigail": ("Abbie", "Abby"),
    "Victoria": ("Vicky", "Tori"),
    "Eleanor": ("Ellie", "Nell"),
    "Harriet": ("Hattie",),
    "Florence": ("Flo", "Florrie"),
    "Margaret": ("Maggie", "Maisie"),
    "Amelia": ("Millie",),
    "Matilda": ("Tilly",),
    "Olivia": ("Liv", "Livvy"),
    "Samantha": ("Sam", "Sammy"),
    "Alexandra": ("Alex", "Lexi"),
    "Jennifer": ("Jenny", "Jen"),
    "Evelyn": ("Evie",),
    "Sophia": (),
    "Grace": (),
    "Ava": (),
    "Isla": (),
    "Poppy": (),
    "Freya": (),
    "Ivy": (),
    "Mia": (),
    "Ruby": (),
    "Lily": (),
    "Willow": (),
    "Aisha": (),
    "Zara": (),
    "Maya": (),
    "Hannah": (),
}
BOYS: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Billy", "Will", "Liam"),
    "Thomas": ("Tom", "Tommy"),
    "James": ("Jim", "Jamie", "Jimmy"),
    "Alexander": ("Alex", "Xander"),
    "Oliver": ("Ollie",),
    "Samuel": ("Sam", "Sammy"),
    "Daniel": ("Dan", "Danny"),
    "Robert": ("Rob", "Bobby", "Robbie"),
    "Matthew": ("Matt",),
    "Joseph": ("Joe", "Joey"),
    "Benjamin": ("Ben", "Benji"),
    "Christopher": ("Chris",),
    "Jacob": ("Jake",),
    "Alfred": ("Alfie",),
    "Frederick": ("Freddie", "Fred"),
    "Edward": ("Ted", "Eddie"),
    "Henry": ("Harry",),
    "Charles": ("Charlie",),
    "Michael": ("Mike", "Mikey"),
    "Nicholas": ("Nick",),
    "Anthony": ("Tony",),
    "Theodore": ("Theo", "Teddy"),
    "Noah": (),
    "Leo": (),
    "George": (),
    "Oscar": (),
    "Arthur": (),
    "Muhammad": (),
    "Jack": (),
    "Finley": (),
    "Reuben": (),
    "Mason": (),
    "Ibrahim": (),
    "Kai": (),
}
_FAMILY_NAMES = (
    "Smith Jones Taylor Brown Wilson Robinson Wright Thompson Walker White Hall Green "
    "Harrison Wood Clarke Jackson Hughes Lee Turner Hill Scott Moore Cooper Young Ward Bell "
    "Atkinson Dixon Hart Hutchinson Armstrong Patterson Stephenson Robson Charlton Milburn "
    "Dobson Nixon Elliott Kerr Graham Bennett Harper Chapman Marshall Ahmed Khan Hussain "
    "Kowalski Nowak Ali Begum Fletcher Wilkinson Pearson Lambert Forster Carr Bainbridge Swales"
)
FAMILIES = tuple(_FAMILY_NAMES.split())
_STREET_NAMES = (
    "Marine Drive|Stockton Road|Raby Road|Oxford Road|Park Road|Catcote Road|Brougham Terrace|"
    "Yarm Lane|Norton Road|Bishopton Road|Durham Road|Hartburn Lane|Dovecot Street|"
    "Station Road|Church Street|Elwick Road|Wynyard Road|Seaton Lane|Owton Manor Lane|"
    "Thornaby Road|Mandale Road|Acklam Road|Westbury Street|Lanark Road|Chester Road"
)
STREETS = tuple(_STREET_NAMES.split("|"))
DISTRICTS = ("TS24", "TS25", "TS26", "TS27", "TS17", "TS18", "TS19", "TS20", "TS21", "TS23")


@dataclass
class Child:
    """One real child of the synthetic world (truth), with their stated details."""

    details: PersonDetails
    twin_of: str | None = None


@dataclass
class Arrival:
    """A record arriving at the hub, the case it tests, and the existing person it is."""

    case: str
    details: PersonDetails
    truth: str | None


@dataclass
class CaseCounts:
    records: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0


@dataclass
class Report:
    per_case: dict[str, CaseCounts] = field(default_factory=lambda: defaultdict(CaseCounts))
    seconds: float = 0.0
    compared: int = 0

    def total(self) -> CaseCounts:
        out = CaseCounts()
        for c in self.per_case.values():
            out.records += c.records
            out.true_positives += c.true_positives
            out.false_positives += c.false_positives
            out.false_negatives += c.false_negatives
        return out

    @property
    def precision(self) -> float:
        t = self.total()
        found = t.true_positives + t.false_positives
        return t.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        t = self.total()
        due = t.true_positives + t.false_negatives
        return t.true_positives / due if due else 1.0


# --- the synthetic world -----------------------------------------------------------


def nhs_number(rng: random.Random) -> str:
    while True:
        first = f"{rng.randrange(400_000_000, 999_999_999):09d}"
        check = nhs_check_digit(first)
        if check is not None:
            return first + str(check)


def corrupt_nhs_number(rng: random.Random, number: str) -> str:
    """One digit changed: a Modulus 11 check never passes after a single-digit change."""
    index = rng.randrange(10)
    digit = str((int(number[index]) + rng.randrange(1, 10)) % 10)
    return number[:index] + digit + number[index + 1 :]


def typo(rng: random.Random, name: str) -> str:
    """A keying slip that keeps the first letter: swap, drop, double or replace a letter."""
    if len(name) < 4:
        return name + name[-1]
    i = rng.randrange(1, len(name) - 1)
    kind = rng.choice(("swap", "drop", "double", "vowel"))
    if kind == "swap" and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "vowel" and name[i] in "aeiou":
        return name[:i] + rng.choice([v for v in "aeiouy" if v != name[i]]) + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def _given(rng: random.Random, sex: str, avoid: Iterable[str] = ()) -> str:
    names = [n for n in (GIRLS if sex == "female" else BOYS) if n not in set(avoid)]
    return rng.choice(names)


def _nicknames(name: str) -> tuple[str, ...]:
    return GIRLS.get(name) or BOYS.get(name) or ()


def _birthday(rng: random.Random, transposable: bool = False) -> date:
    while True:
        day = date(2008, 1, 1) + timedelta(days=rng.randrange(17 * 365))
        if not transposable or (day.day <= 12 and day.day != day.month):
            return day


def _address(rng: random.Random) -> tuple[str, str]:
    postcode = (
        f"{rng.choice(DISTRICTS)} {rng.randrange(1, 10)}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    )
    return f"{rng.randrange(1, 180)} {rng.choice(STREETS)}", postcode


def _child(rng: random.Random, person_id: str, **fixed: object) -> PersonDetails:
    sex = str(fixed.pop("sex", rng.choice(("female", "male"))))
    line, postcode = _address(rng)
    base = PersonDetails(
        person_id=person_id,
        given_name=_given(rng, sex),
        family_name=rng.choice(FAMILIES),
        date_of_birth=_birthday(rng),
        sex=sex,
        nhs_number=nhs_number(rng) if rng.random() < 0.6 else None,
        postcode=postcode,
        address_line=line,
    )
    return replace(base, **fixed)  # type: ignore[arg-type]


def build_population(seed: int, children: int = 300) -> tuple[list[Child], list[Arrival]]:
    """The indexed children and the records that arrive, deterministic for ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible world, not a secret
    index: list[Child] = []
    twins = children // 15
    while len(index) < 2 * twins:  # twin pairs: same birthday, surname, address
        first = _child(rng, f"HP-T{len(index):04d}")
        other = replace(
            first,
            person_id=f"HP-T{len(index) + 1:04d}",
            given_name=_given(rng, first.sex or "female", avoid=[first.given_name or ""]),
            nhs_number=nhs_number(rng) if first.nhs_number else None,
        )
        index += [Child(first, other.person_id), Child(other, first.person_id)]
    while len(index) < children:
        index.append(Child(_child(rng, f"HP-E{len(index):04d}")))

    arrivals: list[Arrival] = []
    counter = iter(range(1_000_000))

    def arrive(case: str, details: PersonDetails, truth: str | None) -> None:
        new_id = f"HP-N{next(counter):05d}"
        # another agency states the child: its own id, and (by default) no NHS number
        arrivals.append(Arrival(case, replace(details, person_id=new_id), truth))

    singles = [c for c in index if c.twin_of is None]

    def pick(predicate: object = None) -> PersonDetails:
        pool = [c.details for c in singles if predicate is None or predicate(c.details)]  # type: ignore[operator]
        return rng.choice(pool)

    for _ in range(30):
        p = pick()
        arrive("exact-details", replace(p, nhs_number=None), p.person_id)
    for _ in range(40):
        p = pick(lambda d: bool(_nicknames(d.given_name)))
        nick = rng.choice(_nicknames(p.given_name or ""))
        arrive("nickname", replace(p, given_name=nick, nhs_number=None), p.person_id)
    for _ in range(25):
        p = pick()
        slip = typo(rng, p.given_name or "")
        arrive("given-name-typo", replace(p, given_name=slip, nhs_number=None), p.person_id)
    for _ in range(20):
        p = pick()
        slip = typo(rng, p.family_name or "")
        arrive("family-name-typo", replace(p, family_name=slip, nhs_number=None), p.person_id)
    for _ in range(30):
        p = pick(
            lambda d: d.date_of_birth.day <= 12 and d.date_of_birth.day != d.date_of_birth.month
        )
        dob = p.date_of_birth
        assert dob is not None
        flipped = date(dob.year, dob.day, dob.month)
        arrive("transposed-dob", replace(p, date_of_birth=flipped, nhs_number=None), p.person_id)
    for _ in range(15):
        p = pick(lambda d: d.date_of_birth.day < 20)
        dob = p.date_of_birth
        assert dob is not None
        slipped = dob.replace(day=dob.day + 10)  # 3 -> 13, 14 -> 24: one digit wrong
        arrive("dob-digit-wrong", replace(p, date_of_birth=slipped, nhs_number=None), p.person_id)
    for _ in range(30):
        p = pick()
        new_family = rng.choice([f for f in FAMILIES if f != p.family_name])
        arrive("changed-surname", replace(p, family_name=new_family, nhs_number=None), p.person_id)
    for _ in range(10):
        p = pick(lambda d: bool(_nicknames(d.given_name)))
        nick = rng.choice(_nicknames(p.given_name or ""))
        new_family = rng.choice([f for f in FAMILIES if f != p.family_name])
        changed = replace(p, given_name=nick, family_name=new_family, nhs_number=None)
        arrive("nickname-and-changed-surname", changed, p.person_id)
    for _ in range(20):  # the family moved: only the address differs
        p = pick()
        line, postcode = _address(rng)
        moved = replace(p, address_line=line, postcode=postcode, nhs_number=None)
        arrive("moved-house", moved, p.person_id)
    for _ in range(10):  # new family name and a new address: only given name, DOB, sex stay
        p = pick()
        line, postcode = _address(rng)
        new_family = rng.choice([f for f in FAMILIES if f != p.family_name])
        both = replace(
            p, family_name=new_family, address_line=line, postcode=postcode, nhs_number=None
        )
        arrive("changed-surname-and-moved", both, p.person_id)
    for _ in range(10):
        p = pick()
        arrive("dob-unknown", replace(p, date_of_birth=None, nhs_number=None), p.person_id)
    for _ in range(10):
        p = pick()
        arrive("sex-unknown", replace(p, sex="unknown", nhs_number=None), p.person_id)
    for _ in range(20):
        p = pick(lambda d: d.nhs_number is not None)
        bad = corrupt_nhs_number(rng, p.nhs_number or "")
        arrive("invalid-nhs-number", replace(p, nhs_number=bad), p.person_id)
    for c in [c for c in index if c.twin_of is not None][::2][:15]:
        arrive("twin-known", replace(c.details, nhs_number=None), c.details.person_id)
    for _ in range(25):  # a twin the index has never seen: the sibling is there
        p = pick()
        twin = replace(
            p,
            given_name=_given(rng, p.sex or "female", avoid=[p.given_name or ""]),
            nhs_number=None,
        )
        arrive("twin-unseen", twin, None)
    for _ in range(20):
        p = pick(lambda d: d.nhs_number is not None)
        arrive("different-nhs-number", replace(p, nhs_number=nhs_number(rng)), None)
    for _ in range(20):  # a brother or sister: same surname and address
        p = pick()
        sex = rng.choice(("female", "male"))
        sibling = replace(
            p,
            given_name=_given(rng, sex, avoid=[p.given_name or ""]),
            sex=sex,
            date_of_birth=_birthday(rng),
            nhs_number=None,
        )
        arrive("sibling", sibling, None)
    for _ in range(60):
        arrive("unrelated", _child(rng, "HP-X", nhs_number=None), None)
    return index, arrivals


# --- measurement -------------------------------------------------------------------


def evaluate(index: Sequence[Child], arrivals: Sequence[Arrival]) -> Report:
    """Block and score each arrival against the index, as the service does."""
    started = time.perf_counter()
    by_key: dict[str, list[PersonDetails]] = defaultdict(list)
    for child in index:
        for key in blocking_keys(child.details):
            by_key[key].append(child.details)
    report = Report()
    for arrival in arrivals:
        block = {p.person_id: p for k in blocking_keys(arrival.details) for p in by_key[k]}
        report.compared += len(block)
        found = {p.person_id for p, _ in candidates_for(arrival.details, block.values())}
        counts = report.per_case[arrival.case]
        counts.records += 1
        counts.true_positives += int(arrival.truth in found)
        counts.false_positives += len(found - {arrival.truth})
        counts.false_negatives += int(arrival.truth is not None and arrival.truth not in found)
    report.seconds = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20260524)
    parser.add_argument("--children", type=int, default=300)
    args = parser.parse_args(argv)
    index, arrivals = build_population(args.seed, args.children)
    report = evaluate(index, arrivals)
    print(f"children indexed: {len(index)}, records arriving: {len(arrivals)}, seed {args.seed}")
    print(f"{'case':30} {'records':>7} {'TP':>4} {'FP':>4} {'FN':>4}")
    for case, c in report.per_case.items():
        print(
            f"{case:30} {c.records:7d} {c.true_positives:4d} "
            f"{c.false_positives:4d} {c.false_negatives:4d}"
        )
    total = report.total()
    print(
        f"{'total':30} {total.records:7d} {total.true_positives:4d} "
        f"{total.false_positives:4d} {total.false_negatives:4d}"
    )
    print(f"precision {report.precision:.3f}  recall {report.recall:.3f}")
    per_record = report.compared / max(1, len(arrivals))
    print(
        f"run time {report.seconds * 1000:.1f} ms "
        f"({report.seconds / max(1, len(arrivals)) * 1e6:.0f} us per record; "
        f"{per_record:.1f} persons scored per record of {len(index)})"
    )


if __name__ == "__main__":
    main()
