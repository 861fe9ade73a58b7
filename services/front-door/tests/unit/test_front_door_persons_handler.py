"""The person index's decisions against the fakes: a confirmed link moves the merged
person's records to the survivor, an unlink reverses exactly that, a rejected pair is never
suggested again, and two verified NHS numbers are never one child."""

from __future__ import annotations

from datetime import timedelta

import pytest
from front_door.domain.candidates import CandidateStatus
from front_door.service_layer.persons import (
    confirm_candidate,
    reject_candidate,
    suggest_candidates_for,
    unlink_person,
)
from front_door_fakes import TENANT, TUESDAY_9AM, FakeUnitOfWorkFactory, concern, staff, take_in
from hub_contracts.codes import Agency
from hub_contracts.events import Sex
from hub_service.clock import FixedClock
from hub_service.problems import ProblemError
from hub_service.staff import Role

NHS_A, NHS_B = "9434765919", "9434765870"
MANAGER = staff(Role.MANAGER)
KATHERINE = concern("CLV-P-1", "Katherine")
KATIE = concern("EDU-77", "Katie", agency=Agency.EDUCATION)


def _held(uows: FakeUnitOfWorkFactory) -> dict[str, set[str]]:
    """Whose contacts and facts are whose: person id -> contact and fact ids."""
    store = uows.store(TENANT)
    held: dict[str, set[str]] = {}
    for contact in store.contacts.values():
        held.setdefault(contact.person_id, set()).add(contact.contact_id)
    for fact in store.facts.values():
        held.setdefault(str(fact.person_id), set()).add(fact.fact_id)
    return held


async def test_a_confirmed_link_moves_the_records_and_an_unlink_reverses_exactly_that() -> None:
    uows, clock = FakeUnitOfWorkFactory(), FixedClock(TUESDAY_9AM)
    await take_in(uows, clock, KATHERINE, KATIE)
    store = uows.store(TENANT)
    [candidate] = store.candidates.values()
    survivor, merged = candidate.existing_person_id, candidate.new_person_id
    before = _held(uows)

    linked = await confirm_candidate(
        uows, clock, TENANT, candidate.candidate_id, "Mother confirmed 'Katie'.", MANAGER
    )

    assert (linked.survivor_id, linked.merged_person_id) == (survivor, merged)
    assert linked.repointed.counts() == {"contacts": 1, "facts": 1}
    assert _held(uows) == {survivor: before[survivor] | before[merged]}
    assert store.persons[merged].merged_into == survivor
    assert store.candidates[candidate.candidate_id].status is CandidateStatus.CONFIRMED
    # while linked, the merged person's agency id resolves to the survivor
    clock.advance(timedelta(hours=1))
    [later] = await take_in(uows, clock, concern("EDU-77", "Katie", agency=Agency.EDUCATION))
    assert store.contacts[later].person_id == survivor
    arrived = _held(uows)[survivor] - before[survivor] - before[merged]  # its contact and fact
    assert later in arrived

    unlinked = await unlink_person(uows, clock, TENANT, merged, "A cousin, not her.", MANAGER)

    assert unlinked.restored.counts() == {"contacts": 1, "facts": 1}
    after = _held(uows)
    assert after[merged] == before[merged]  # exactly what the link moved went back
    assert after[survivor] == before[survivor] | arrived  # what arrived while linked stays
    assert store.persons[merged].merged_into is None
    assert store.candidates[candidate.candidate_id].status is CandidateStatus.REJECTED
    uow = uows.reading(TENANT)
    changes = uow.published("person-link-changed")
    assert [e.data["action"] for e in changes] == ["linked", "unlinked"]
    assert changes[1].data["other_person_id"] == merged
    assert "given_name=nickname" in changes[0].data["evidence_summary"]
    assert [c.change.change_id for c in store.identity_changes] == [
        linked.change_id,
        unlinked.change_id,
    ]
    assert store.identity_changes[1].reverses == linked.change_id
    with pytest.raises(ProblemError) as again:
        await unlink_person(uows, clock, TENANT, merged, "again", MANAGER)
    assert (again.value.status, again.value.reason) == (409, "person-not-linked")


async def test_a_rejected_pair_is_never_suggested_again() -> None:
    uows, clock = FakeUnitOfWorkFactory(), FixedClock(TUESDAY_9AM)
    await take_in(
        uows,
        clock,
        concern("CLV-P-9", "William", sex=Sex.MALE),
        concern("EDU-9", "Bill", agency=Agency.EDUCATION, sex=Sex.MALE),
    )
    store = uows.store(TENANT)
    [candidate] = store.candidates.values()

    await reject_candidate(uows, clock, TENANT, candidate.candidate_id, "Different boys.", staff())

    assert store.candidates[candidate.candidate_id].status is CandidateStatus.REJECTED
    new = store.persons[candidate.new_person_id]
    async with uows.transaction(TENANT) as uow:  # scored again, as a new contact would
        suggested = await suggest_candidates_for(uow, [(0, new)], {}, [TUESDAY_9AM])
    assert suggested.made == []
    assert len(store.candidates) == 1
    with pytest.raises(ProblemError) as decided:
        await confirm_candidate(uows, clock, TENANT, candidate.candidate_id, "x", MANAGER)
    assert (decided.value.status, decided.value.reason) == (409, "candidate-already-decided")
    [rejected] = uows.reading(TENANT).published("person-link-changed")
    assert rejected.data["action"] == "rejected"


async def test_two_verified_nhs_numbers_are_never_linked_and_nothing_moves() -> None:
    uows, clock = FakeUnitOfWorkFactory(), FixedClock(TUESDAY_9AM)
    await take_in(uows, clock, KATHERINE, KATIE)
    [candidate] = uows.store(TENANT).candidates.values()
    # each agency then states a different (valid) NHS number for its child
    await take_in(
        uows,
        clock,
        concern("CLV-P-1", "Katherine", nhs_number=NHS_A, reference="REF-2"),
        concern("EDU-77", "Katie", agency=Agency.EDUCATION, nhs_number=NHS_B, reference="R-3"),
    )
    before = _held(uows)
    published = len(uows.store(TENANT).published)

    with pytest.raises(ProblemError) as refused:
        await confirm_candidate(uows, clock, TENANT, candidate.candidate_id, "Same?", MANAGER)

    assert (refused.value.status, refused.value.reason) == (409, "nhs-numbers-differ")
    assert _held(uows) == before
    assert uows.store(TENANT).candidates[candidate.candidate_id].status is CandidateStatus.OPEN
    assert len(uows.store(TENANT).published) == published
