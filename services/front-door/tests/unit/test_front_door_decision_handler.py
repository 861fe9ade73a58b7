"""Deciding a contact against the fakes: where the decision goes, who is told, and that a
refused decision changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from front_door.domain.commands import DecideContact
from front_door.domain.contacts import ContactStatus
from front_door.service_layer.decisions import decide_contact
from front_door_fakes import (
    TENANT,
    TRACING,
    TUESDAY_9AM,
    FakeUnitOfWorkFactory,
    police_contact,
    rate,
    staff,
)
from hub_contracts.codes import ContactOutcome, PrimaryNeed
from hub_service.clock import FixedClock
from hub_service.problems import ProblemError
from hub_service.staff import Role

CIN = DecideContact(
    outcome=ContactOutcome.CIN_REFERRAL,
    reason="Repeated exposure to domestic abuse; needs assessment.",
    primary_need=PrimaryNeed.N1,
)


async def test_a_cin_referral_goes_to_social_care_and_the_referrer_is_told() -> None:
    uows, clock = FakeUnitOfWorkFactory(), FixedClock(TUESDAY_9AM)
    contact_id = await police_contact(uows, clock)
    await rate(uows, clock, contact_id)
    clock.advance(timedelta(hours=3))

    decision = await decide_contact(
        uows, clock, TENANT, contact_id, CIN, staff(Role.MANAGER), TRACING
    )

    assert decision.decided_in_time is True
    assert decision.routed == ("referral-to-social-care",)
    contact = uows.store(TENANT).contacts[contact_id]
    assert contact.status is ContactStatus.DECIDED
    assert uows.store(TENANT).decisions[contact_id] == decision
    uow = uows.reading(TENANT)
    [referral] = uow.published("referral-to-social-care")
    assert referral.data["contact_id"] == contact_id
    assert referral.data["child"]["family_name"] == "Hart"
    assert referral.data["referral_id"] in decision.referral_ids
    [told] = uow.published("contact-decided")
    assert told.data["origin_event_id"] == contact.origin_event_id  # the police can match it
    assert told.data["outcome"] == "CIN Referral"


async def test_refused_decisions_change_nothing() -> None:
    uows, clock = FakeUnitOfWorkFactory(), FixedClock(TUESDAY_9AM)
    contact_id = await police_contact(uows, clock)
    manager = staff(Role.MANAGER)

    with pytest.raises(ProblemError) as unrated:
        await decide_contact(uows, clock, TENANT, contact_id, CIN, manager, TRACING)
    assert (unrated.value.status, unrated.value.reason) == (409, "contact-not-rated")
    await rate(uows, clock, contact_id)
    before = len(uows.store(TENANT).published)
    incomplete = CIN.model_copy(update={"primary_need": None})
    with pytest.raises(ProblemError) as refused:
        await decide_contact(uows, clock, TENANT, contact_id, incomplete, manager, TRACING)
    assert (refused.value.status, refused.value.reason) == (422, "decision-incomplete")
    assert len(uows.store(TENANT).published) == before
    assert uows.store(TENANT).contacts[contact_id].decision is None

    await decide_contact(uows, clock, TENANT, contact_id, CIN, manager, TRACING)
    with pytest.raises(ProblemError) as again:
        await decide_contact(uows, clock, TENANT, contact_id, CIN, manager, TRACING)
    assert (again.value.status, again.value.reason) == (409, "contact-already-decided")
    assert len(uows.reading(TENANT).published("referral-to-social-care")) == 1
