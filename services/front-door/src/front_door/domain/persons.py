"""The hub's person index: hub persons, their links, and linking a run of children. Pure.

A child is linked **deterministically** only: on a verified NHS number, or on
an agency's own id the index already holds; anything weaker makes a new person
(candidate matches are only suggested: ``domain.identity``). A person merged
into another (``merged_into``) keeps the link it was merged by, so that an
unlink can reverse exactly what it moved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from hub_contracts.codes import Agency
from hub_contracts.events.common import Address, ChildAsStated
from hub_messaging.documents import Document

from front_door.domain.identity import PersonDetails, blocking_keys


class LinkedBy(StrEnum):
    """How a child was linked to a hub person."""

    NHS_NUMBER = "nhs-number"
    AGENCY_ID = "agency-id"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class Identifier:
    """An agency's own id for a child (``police`` / ``CLV-P-1``)."""

    agency: str
    agency_person_id: str

    def record(self) -> Document:
        return {"agency": self.agency, "id": self.agency_person_id}

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> Identifier:
        return cls(str(doc["agency"]), str(doc["id"]))

    @classmethod
    def of(cls, child: ChildAsStated, agency: Agency | None) -> Identifier:
        """The id ``agency`` (the hub if none) states ``child`` under."""
        return cls((agency or Agency.HUB).value, child.agency_person_id)


@dataclass(frozen=True, slots=True)
class Repointed:
    """What a link moved from the merged person to its survivor (or an unlink moved back)."""

    contacts: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()

    def record(self) -> Document:
        return {"contacts": list(self.contacts), "facts": list(self.facts)}

    def counts(self) -> dict[str, int]:
        return {"contacts": len(self.contacts), "facts": len(self.facts)}

    @classmethod
    def from_record(cls, doc: Mapping[str, Any] | None) -> Repointed:
        doc = doc or {}
        return cls(tuple(doc.get("contacts") or ()), tuple(doc.get("facts") or ()))


@dataclass(frozen=True, slots=True)
class PersonLink:
    """How a person was merged into its survivor: by which change, candidate, whom, when."""

    change_id: str
    candidate_id: str | None
    linked_at: datetime
    linked_by: str
    repointed: Repointed

    def record(self) -> Document:
        return {
            "change_id": self.change_id,
            "candidate_id": self.candidate_id,
            "linked_at": self.linked_at,
            "linked_by": self.linked_by,
            "repointed": self.repointed.record(),
        }

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> PersonLink:
        return cls(
            change_id=doc.get("change_id", ""),
            candidate_id=doc.get("candidate_id"),
            linked_at=doc["linked_at"],
            linked_by=doc.get("linked_by", ""),
            repointed=Repointed.from_record(doc.get("repointed")),
        )


@dataclass(frozen=True, slots=True)
class PastLink:
    """A link that was reversed: the link, its survivor, and when it was undone."""

    link: PersonLink
    survivor_id: str
    unlinked_at: datetime

    def record(self) -> Document:
        return {
            **self.link.record(),
            "survivor_id": self.survivor_id,
            "unlinked_at": self.unlinked_at,
        }

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> PastLink:
        return cls(PersonLink.from_record(doc), doc["survivor_id"], doc["unlinked_at"])


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A person's address as first stated (``Address`` of the contracts, as the index keeps it)."""

    lines: tuple[str, ...]
    town: str | None = None
    postcode: str | None = None
    uprn: str | None = None

    def record(self) -> Document:
        return {
            "lines": list(self.lines),
            "town": self.town,
            "postcode": self.postcode,
            "uprn": self.uprn,
        }

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> PostalAddress:
        return cls(
            tuple(doc.get("lines") or ()), doc.get("town"), doc.get("postcode"), doc.get("uprn")
        )

    @classmethod
    def stated(cls, address: Address) -> PostalAddress:
        return cls(address.lines, address.town, address.postcode, address.uprn)


@dataclass(frozen=True, slots=True)
class Person:
    """A hub person: the child as first stated, every agency id and NHS number learnt since."""

    person_id: str
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    sex: str | None
    address: PostalAddress | None
    identifiers: tuple[Identifier, ...]
    nhs_number: str | None
    match_keys: tuple[str, ...]
    """Blocking keys: a candidate match must share one (``identity.blocking_keys``)."""
    merged_into: str | None = None
    link: PersonLink | None = None
    past_links: tuple[PastLink, ...] = ()

    @property
    def details(self) -> PersonDetails:
        """What the matcher compares."""
        address = self.address
        return PersonDetails(
            person_id=self.person_id,
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth,
            sex=self.sex,
            nhs_number=self.nhs_number,
            postcode=address.postcode if address else None,
            address_line=address.lines[0] if address and address.lines else None,
            uprn=address.uprn if address else None,
        )

    def record(self) -> Document:
        doc: Document = {
            "_id": self.person_id,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "sex": self.sex,
            "address": self.address.record() if self.address else None,
            "identifiers": [i.record() for i in self.identifiers],
        }
        if self.nhs_number:
            doc["nhs_number"] = self.nhs_number
        doc["match_keys"] = list(self.match_keys)
        if self.merged_into:
            doc["merged_into"] = self.merged_into
        if self.link is not None:
            doc["link"] = self.link.record()
        if self.past_links:
            doc["past_links"] = [p.record() for p in self.past_links]
        return doc

    @classmethod
    def from_record(cls, doc: Mapping[str, Any]) -> Person:
        dob = doc.get("date_of_birth")
        address = doc.get("address")
        link = doc.get("link")
        return cls(
            person_id=str(doc["_id"]),
            given_name=doc.get("given_name"),
            family_name=doc.get("family_name"),
            date_of_birth=date.fromisoformat(dob) if isinstance(dob, str) else dob,
            sex=doc.get("sex"),
            address=PostalAddress.from_record(address) if address else None,
            identifiers=tuple(Identifier.from_record(i) for i in doc.get("identifiers") or ()),
            nhs_number=doc.get("nhs_number"),
            match_keys=tuple(doc.get("match_keys") or ()),
            merged_into=doc.get("merged_into"),
            link=PersonLink.from_record(link) if link else None,
            past_links=tuple(PastLink.from_record(p) for p in doc.get("past_links") or ()),
        )

    @classmethod
    def new(cls, person_id: str, child: ChildAsStated, identifier: Identifier) -> Person:
        """A new hub person for a child nobody holds, as the agency stated them."""
        person = cls(
            person_id=person_id,
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            sex=child.sex.value,
            address=PostalAddress.stated(child.address) if child.address else None,
            identifiers=(identifier,),
            nhs_number=child.nhs_number or None,
            match_keys=(),
        )
        return replace(person, match_keys=tuple(blocking_keys(person.details)))


@dataclass(frozen=True, slots=True)
class Learnt:
    """What a run of children taught the index about a person it already held."""

    person_id: str
    identifiers: tuple[Identifier, ...] = ()
    nhs_number: str | None = None


@dataclass
class LinkPlan:
    """How a run of children (in order) links to hub persons, as linking them one after the
    other would: a child finds the persons the children before it made or gave an identifier.
    """

    person_ids: list[str] = field(default_factory=list)
    """The hub person of each child (before following merges to survivors)."""
    linked_by: list[LinkedBy] = field(default_factory=list)
    created: list[tuple[int, Person]] = field(default_factory=list)
    """The persons to make (as they stand after the run), each with the position of the
    child that made it."""
    learnt: list[Learnt] = field(default_factory=list)
    """Identifiers and NHS numbers learnt about persons the index already held."""
    nhs_stated_at: dict[str, int] = field(default_factory=dict)
    """Persons made or found without an NHS number that a later child in the run stated:
    the position of that child (before it, the person had no NHS number)."""


@dataclass
class _Holder:
    """A person as the run sees it: its identifiers and NHS number so far."""

    person: Person
    identifiers: list[Identifier]
    nhs_number: str | None


class _Index:
    """The persons a run of children may link to, as linking one by one would see them."""

    def __init__(self, holders: Sequence[_Holder]) -> None:
        self.by_nhs: dict[str, _Holder] = {}
        self.by_identifier: dict[Identifier, list[_Holder]] = {}
        for holder in holders:  # in the order the database holds them: first holder wins
            self.add(holder)

    def add(self, holder: _Holder) -> None:
        if holder.nhs_number:
            self.by_nhs.setdefault(holder.nhs_number, holder)
        for identifier in holder.identifiers:
            self.hold(holder, identifier)

    def hold(self, holder: _Holder, identifier: Identifier) -> None:
        holders = self.by_identifier.setdefault(identifier, [])
        if all(h.person.person_id != holder.person.person_id for h in holders):
            holders.append(holder)

    def find(
        self, nhs_number: str | None, identifier: Identifier
    ) -> tuple[_Holder | None, LinkedBy]:
        if nhs_number and (found := self.by_nhs.get(nhs_number)) is not None:
            return found, LinkedBy.NHS_NUMBER
        holders = self.by_identifier.get(identifier)
        return (holders[0] if holders else None), (LinkedBy.AGENCY_ID if holders else LinkedBy.NEW)


def plan_links(
    children: Sequence[tuple[ChildAsStated, Agency | None]],
    known: Sequence[Person],
    new_person_id: Callable[[], str],
) -> LinkPlan:
    """Link each child (with the agency that stated it) to a hub person.

    ``known`` are the persons holding one of the run's NHS numbers or agency ids,
    in index order (the first holder of an id wins). A verified NHS number links,
    else the agency's own id; else a new person. Two children of the run with the
    same NHS number or agency id get the same person.
    """
    index = _Index([_Holder(p, list(p.identifiers), p.nhs_number) for p in known])
    plan = LinkPlan()
    created: dict[str, tuple[int, _Holder]] = {}
    learnt_ids: dict[str, list[Identifier]] = {}  # identifiers new to a known person
    learnt_nhs: dict[str, str] = {}  # an NHS number a known person had none of
    for position, (child, agency) in enumerate(children):
        identifier = Identifier.of(child, agency)
        holder, how = index.find(child.nhs_number, identifier)
        if holder is None:
            person = Person.new(new_person_id(), child, identifier)
            holder = _Holder(person, [identifier], person.nhs_number)
            created[person.person_id] = (position, holder)
            index.add(holder)
            how = LinkedBy.NEW
        elif identifier not in holder.identifiers:
            holder.identifiers.append(identifier)
            index.hold(holder, identifier)
            if holder.person.person_id not in created:
                learnt_ids.setdefault(holder.person.person_id, []).append(identifier)
        person_id = holder.person.person_id
        if child.nhs_number and not holder.nhs_number:
            holder.nhs_number = child.nhs_number
            index.by_nhs.setdefault(child.nhs_number, holder)
            plan.nhs_stated_at[person_id] = position
            if person_id not in created:
                learnt_nhs[person_id] = child.nhs_number
        plan.person_ids.append(person_id)
        plan.linked_by.append(how)
    plan.created = [
        (position, replace(h.person, identifiers=tuple(h.identifiers), nhs_number=h.nhs_number))
        for position, h in created.values()
    ]
    plan.learnt = [
        Learnt(p, tuple(learnt_ids.get(p, ())), learnt_nhs.get(p))
        for p in {**learnt_ids, **learnt_nhs}
    ]
    return plan
