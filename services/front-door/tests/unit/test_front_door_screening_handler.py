"""Rating a contact against the fakes: the clock a rating starts and the enquiries it fans
out, to every agency; a contact is rated once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from front_door.domain.contacts import ContactStatus
from front_door_fakes import TENANT, TUESDAY_9AM, FakeUnitOfWorkFactory, police_contact, rate
from hub_contracts.codes import RagRating
from hub_service.clock import FixedClock
from hub_service.problems import ProblemError


async def test_rating_starts_the_screening_window_and_asks_every_agency() -> None:
    uows, clock = FakeUnitOfWorkFactory(), FixedClock(TUESDAY_9AM)
    contact_id = await police_contact(uows, clock)
    clock.advance(timedelta(minutes=30))

    rated = await rate(uows, clock, contact_id)

    assert rated.screen_by == TUESDAY_9AM + timedelta(hours=4)  # red: 4 hours from receipt
    contact = uows.store(TENANT).contacts[contact_id]
    assert contact.status is ContactStatus.ENQUIRIES_OPEN
    assert contact.rag_rating is RagRating.RED
    assert contact.screen_by == rated.screen_by
    enquiries = uows.store(TENANT).enquiries.values()
    assert sorted(e.agency.value for e in enquiries) == [
        "early-help",
        "education",
        "health",
        "police",
        "social-care",
    ]
    assert {e.respond_by for e in enquiries} == {rated.screen_by}
    uow = uows.reading(TENANT)
    requested = uow.published("enquiry-requested")
    assert sorted(e.data["target_agency"] for e in requested) == sorted(
        e.agency.value for e in enquiries
    )
    # the police's own id for the child goes back to the police only
    by_agency = {e.data["target_agency"]: e.data["child"] for e in requested}
    assert by_agency["police"]["agency_person_id"] == "CLV-P-1"
    assert by_agency["health"]["agency_person_id"] is None
    [told] = uow.published("contact-rated")
    assert told.data["rag_rating"] == "red"


async def test_a_contact_is_rated_once_and_an_unknown_one_not_at_all() -> None:
    uows, clock = FakeUnitOfWorkFactory(), FixedClock(TUESDAY_9AM)
    contact_id = await police_contact(uows, clock)
    await rate(uows, clock, contact_id)

    with pytest.raises(ProblemError) as again:
        await rate(uows, clock, contact_id)
    assert (again.value.status, again.value.reason) == (409, "contact-already-rated")
    with pytest.raises(ProblemError) as unknown:
        await rate(uows, clock, "CT-nope")
    assert (unknown.value.status, unknown.value.reason) == (404, "contact-not-found")
    assert len(uows.store(TENANT).enquiries) == 5  # the five of the first rating only
