"""Storing the joined-up view's facts and linking them to hub persons, deterministically.

A new linked fact adopts the unlinked facts sharing one of its link keys;
nothing weaker than a hub person id, a verified NHS number, an agency id the
index holds, a referral the hub routed or a key already linked ever links a fact.
"""

from __future__ import annotations

from collections.abc import Sequence

from hub_contracts.codes import Agency

from front_door.domain.facts import Fact
from front_door.domain.persons import Identifier
from front_door.service_layer.unit_of_work import UnitOfWork


async def add_facts(uow: UnitOfWork, facts: Sequence[Fact]) -> None:
    """Store facts; a linked fact adopts unlinked ones that share one of its link keys.

    One write of the facts, one read of the unlinked facts sharing a key, and a
    write only for persons that adopt any (the first person, in the order of
    ``facts``, whose keys an unlinked fact shares).
    """
    if not facts:
        return
    await uow.facts.add_many(facts)
    by_person: dict[str, set[str]] = {}
    for fact in facts:
        if fact.person_id and fact.link_keys:
            by_person.setdefault(fact.person_id, set()).update(fact.link_keys)
    if not by_person:
        return
    keys = sorted(set().union(*by_person.values()))
    adopted: dict[str, list[str]] = {}
    for orphan_id, orphan_keys in await uow.facts.unlinked_sharing(keys):
        shared = set(orphan_keys)
        person_id = next(p for p, k in by_person.items() if k & shared)
        adopted.setdefault(person_id, []).append(orphan_id)
    for person_id, ids in adopted.items():
        await uow.facts.adopt(ids, person_id)


async def find_person(
    uow: UnitOfWork,
    *,
    keys: Sequence[str] = (),
    nhs_number: str | None = None,
    person_id: str | None = None,
) -> str | None:
    """The hub person an event is about, by deterministic evidence only, else None.

    In order: a hub person id, a verified NHS number, an agency's own id for a
    child the index already holds, a referral the hub routed, then a fact
    already linked through the same agency-scoped key.
    """
    if person_id and await uow.persons.exists(person_id):
        return person_id
    if nhs_number and (found := await uow.persons.id_with_nhs_number(nhs_number)):
        return found
    for key in keys:
        agency, kind, value = key.split("/", 2)
        if kind == "person" and (found := await uow.persons.id_holding(Identifier(agency, value))):
            return found
    for key in keys:
        agency, kind, value = key.split("/", 2)
        # a referral the hub routed: its decision names the contact, the contact the person
        routed = agency == Agency.HUB.value and kind == "ref"
        if routed and (found := await uow.contacts.person_of_referral(value)):
            return found
    if keys:
        return await uow.facts.linked_person(keys)
    return None
