"""Linking children to hub persons, deterministically, in a few round trips per run.

A verified NHS number, or an agency's own id for a child already linked; anything
weaker makes a new person (``domain.persons.plan_links``), whose candidate
matches ``service_layer.persons`` then suggests. A person merged into another
resolves to its survivor.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from hub_contracts.codes import Agency
from hub_contracts.events.common import ChildAsStated

from front_door.domain.persons import Identifier, LinkedBy, Person, plan_links
from front_door.service_layer.unit_of_work import UnitOfWork


@dataclass
class PersonLinks:
    """How a run of children (in order) was linked to hub persons.

    The result is what linking them one after the other would give: a child
    finds the persons the children before it made or gave an identifier.
    """

    person_ids: list[str] = field(default_factory=list)
    """The hub person (the survivor, for a merged person) of each child."""
    linked_by: list[LinkedBy] = field(default_factory=list)
    created: list[tuple[int, Person]] = field(default_factory=list)
    """The persons made, each with the position of the child that made it."""
    nhs_stated_at: dict[str, int] = field(default_factory=dict)
    """Persons made or found without an NHS number that a later child in the run stated:
    the position of that child (before it, the person had no NHS number)."""


def _new_person_id() -> str:
    return f"HP-{uuid.uuid4().hex[:12]}"


async def link_children(
    uow: UnitOfWork, children: Sequence[tuple[ChildAsStated, Agency | None]]
) -> PersonLinks:
    """Link each child (with the agency that stated it) to a hub person.

    Two reads of the index (the run's NHS numbers; its agency ids), one write of
    the new persons, one of what was learnt about known persons, and the
    survivors of merged persons only if any.
    """
    identifiers = [Identifier.of(child, agency) for child, agency in children]
    numbers = sorted({child.nhs_number for child, _ in children if child.nhs_number})
    known = await uow.persons.with_nhs_numbers(numbers) if numbers else []
    held = await uow.persons.holding(
        sorted({i.agency for i in identifiers}), sorted({i.agency_person_id for i in identifiers})
    )
    found: dict[str, Person] = {}  # one per person; an id's holders in index order
    for person in [*held, *known]:
        found.setdefault(person.person_id, person)
    plan = plan_links(children, list(found.values()), _new_person_id)
    if plan.created:
        await uow.persons.add_many([p for _, p in plan.created])
    if plan.learnt:
        await uow.persons.learn(plan.learnt)
    survivors = await _survivors(uow, list(found.values()))
    return PersonLinks(
        person_ids=[survivors.get(p, p) for p in plan.person_ids],
        linked_by=plan.linked_by,
        created=plan.created,
        nhs_stated_at=plan.nhs_stated_at,
    )


async def link_child(
    uow: UnitOfWork, child: ChildAsStated, agency: Agency | None
) -> tuple[str, LinkedBy]:
    """The hub person for ``child`` and how it was linked."""
    links = await link_children(uow, [(child, agency)])
    return links.person_ids[0], links.linked_by[0]


async def survivor_of(uow: UnitOfWork, person: Person) -> Person:
    """The person ``person`` was merged into (following the chain), or itself."""
    seen = {person.person_id}
    while person.merged_into:
        found = await uow.persons.get(person.merged_into)
        if found is None or found.person_id in seen:
            break
        seen.add(found.person_id)
        person = found
    return person


async def _survivors(uow: UnitOfWork, persons: Sequence[Person]) -> dict[str, str]:
    """The survivor of each merged person among ``persons`` (as ``survivor_of``, a level of
    every chain per read)."""
    chains = {p.person_id: [p.person_id] for p in persons if p.merged_into}
    following = {p.person_id: p.merged_into for p in persons if p.merged_into}
    while following:
        found = {
            p.person_id: p for p in await uow.persons.get_many(sorted(set(following.values())))
        }
        after: dict[str, str] = {}
        for person_id, target in following.items():
            person = found.get(target)
            if person is None or target in chains[person_id]:
                continue  # a broken or circular chain stops where it is
            chains[person_id].append(target)
            if person.merged_into:
                after[person_id] = person.merged_into
        following = after
    return {p: chain[-1] for p, chain in chains.items()}
