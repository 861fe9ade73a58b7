"""Concern intake against the fakes: a contact per concern, its clocks started, the child
linked, duplicates suggested (bounded), the referrer's journey continued."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from front_door.domain.contacts import ContactStatus
from front_door.domain.persons import LinkedBy
from front_door.service_layer import view
from front_door.service_layer.intake import concern_intake
from front_door.service_layer.persons import DEFAULT_LIMITS, CandidateLimits
from front_door.service_layer.unit_of_work import BatchEventHandler
from front_door_fakes import NHS, TENANT, TUESDAY_9AM, FakeUnitOfWorkFactory, concern
from hub_contracts.codes import Agency
from hub_messaging.consumer import Delivery
from hub_service.clock import FixedClock


def _intake(limits: CandidateLimits = DEFAULT_LIMITS) -> BatchEventHandler:
    clock = FixedClock(TUESDAY_9AM)
    return concern_intake(clock, on_contacts=[view.record_concern_facts], limits=limits)


async def test_a_concern_becomes_a_contact_with_its_clocks_running_and_the_referrer_told() -> None:
    uows = FakeUnitOfWorkFactory()
    uow = uows.unit_of_work(TENANT)
    delivery = concern("CLV-P-1", "Amelia", nhs_number=NHS)

    await _intake()([delivery], uow)

    [contact] = uows.store(TENANT).contacts.values()
    assert contact.status is ContactStatus.AWAITING_SCREENING
    assert contact.origin_event_id == delivery.event.id
    # amber as received: 24 hours to screen; a decision within one working day
    assert contact.screen_by == TUESDAY_9AM + timedelta(hours=24)
    assert contact.decide_by == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    [person] = uows.store(TENANT).persons.values()
    assert (contact.person_id, contact.linked_by) == (person.person_id, LinkedBy.NEW)
    assert person.nhs_number == NHS
    [received] = uow.published("contact-received")
    assert received.data["contact_id"] == contact.contact_id
    assert received.data["origin_event_id"] == delivery.event.id
    assert received.subject == person.person_id
    # the concern is the first fact of the child's view
    [fact] = uows.store(TENANT).facts.values()
    assert (fact.person_id, fact.contact_id, fact.kind) == (
        person.person_id,
        contact.contact_id,
        "concern",
    )


async def test_two_agencies_on_one_child_make_one_person_and_a_nickname_a_candidate() -> None:
    uows = FakeUnitOfWorkFactory()
    uow = uows.unit_of_work(TENANT)

    await _intake()(
        [
            concern("CLV-P-1", "Katherine", nhs_number=NHS),
            concern("EDU-1", "Katherine", agency=Agency.EDUCATION, nhs_number=NHS),
            concern("EDU-77", "Katie", agency=Agency.EDUCATION),
        ],
        uow,
    )

    store = uows.store(TENANT)
    contacts = {c.origin_reference: c for c in store.contacts.values()}
    assert contacts["REF-EDU-1"].person_id == contacts["REF-CLV-P-1"].person_id
    assert contacts["REF-EDU-1"].linked_by is LinkedBy.NHS_NUMBER
    katherine = store.persons[contacts["REF-CLV-P-1"].person_id]
    assert [i.agency for i in katherine.identifiers] == ["police", "education"]
    # Katie may be Katherine: suggested for a person to decide, never merged
    [candidate] = store.candidates.values()
    assert (candidate.new_person_id, candidate.existing_person_id) == (
        contacts["REF-EDU-77"].person_id,
        katherine.person_id,
    )
    assert candidate.evidence["given_name"] == "nickname"
    assert len(store.persons) == 2


async def test_a_run_costs_the_same_round_trips_whatever_its_length() -> None:
    def run_of(n: int, prefix: str) -> list[Delivery]:
        return [concern(f"{prefix}-{i}", "Olivia", family_name=f"Smith{i}") for i in range(n)]

    costs = []
    for n in (2, 60):
        uows = FakeUnitOfWorkFactory()
        await _intake()(run_of(n, "P"), uows.unit_of_work(TENANT))
        assert len(uows.store(TENANT).contacts) == n
        costs.append(Counter(uows.store(TENANT).calls))
    assert costs[0] == costs[1]
    assert costs[0]["contacts.add_many"] == costs[0]["outbox.add"] == 1
    assert costs[0]["persons.add_many"] == costs[0]["facts.add_many"] == 1


async def test_alike_children_keep_k_candidates_each_and_a_transactions_runs_share_a_cap() -> None:
    families = ("Thompson", "Thomson", "Tompson", "Thomsen", "Thompsen", "Tomson", "Thomason")
    burst = [concern(f"B-{i}", "Olivia", family_name=families[i % 7]) for i in range(8)]
    uows = FakeUnitOfWorkFactory()
    uow = uows.unit_of_work(TENANT)
    intake = _intake(CandidateLimits(per_person=3, per_transaction=10))

    await intake(burst[:4], uow)  # one transaction, two runs of concerns
    await intake(burst[4:], uow)

    per_person = Counter(c.new_person_id for c in uows.store(TENANT).candidates.values())
    assert max(per_person.values()) <= 3
    assert sum(per_person.values()) == 10  # 0+1+2+3 in the first run; the second gets 4
    assert uow.candidate_writes == 10
    assert len(uows.store(TENANT).contacts) == 8
