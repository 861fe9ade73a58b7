"""Deciding a contact: the outcome, its routing, telling the referrer, and the audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from hub_contracts.codes import Agency, ContactOutcome, PrimaryNeed, RagRating
from hub_contracts.envelope import CloudEvent, EventPayload
from hub_contracts.events import (
    ContactDecided,
    ReferralToEarlyHelp,
    ReferralToSocialCare,
    StrategyDiscussionRequested,
)
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition
from hub_service.clock import Clock, add_working_days
from hub_service.problems import ProblemError
from hub_service.staff import StaffUser
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError

from front_door.domain.commands import DecideContact
from front_door.domain.contacts import Contact, ContactStatus, Decision
from front_door.service_layer.intake import FEEDBACK_BASIS, SERVICE, in_journey
from front_door.service_layer.unit_of_work import UnitOfWorkFactory

REFERRAL_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK,
    purpose=Purpose.REFERRAL,
    special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
)
"""A referral carries the concern as the agencies stated it, health detail included."""
STRATEGY_AGENCIES = (Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH, Agency.EDUCATION)


def _routing(
    contact: Contact, rating: RagRating, command: DecideContact, user: StaffUser, now: datetime
) -> list[EventPayload]:
    """The referral or request a decision sends, if any."""
    common: dict[str, Any] = {
        "contact_id": contact.contact_id,
        "child": contact.child,
        "household": contact.household,
        "reason": command.reason,
    }
    referral: dict[str, Any] = {
        **common,
        "referral_id": f"RF-{uuid.uuid4().hex[:12]}",
        "referral_source": contact.referral_source,
        "rag_rating": rating,
        "referred_by": user.user_id,
        "referred_at": now,
    }
    match command.outcome:
        case ContactOutcome.EH_REFERRAL:
            return [
                ReferralToEarlyHelp(
                    **referral, primary_need=command.primary_need, consent_id=command.consent_id
                )
            ]
        case ContactOutcome.CIN_REFERRAL:
            return [ReferralToSocialCare(**referral, primary_need=command.primary_need)]
        case ContactOutcome.STRATEGY_DISCUSSION:
            return [
                StrategyDiscussionRequested(
                    **common,
                    request_id=f"SD-{uuid.uuid4().hex[:12]}",
                    suspected_category=command.suspected_category,
                    primary_need=command.primary_need or PrimaryNeed.N1,  # abuse or neglect
                    agencies_invited=STRATEGY_AGENCIES,
                    hold_by=add_working_days(now, 1),
                    requested_by=user.user_id,
                    requested_at=now,
                )
            ]
        case _:
            return []


async def decide_contact(
    uows: UnitOfWorkFactory,
    clock: Clock,
    tenant: str,
    contact_id: str,
    command: DecideContact,
    user: StaffUser,
    tracer_provider: TracerProvider,
) -> Decision:
    """Record the decision, route it, tell the referrer; all in one transaction."""
    now = clock.now()
    # a person's step in the journey the contact started: one journey, one trace (ADR 0008)
    async with (
        in_journey(
            uows,
            tracer_provider,
            tenant,
            contact_id,
            "decide contact",
        ),
        uows.transaction(tenant) as uow,
    ):
        contact = await uow.contacts.get(contact_id)
        if contact is None:
            raise ProblemError(404, "contact-not-found", f"no contact {contact_id}")
        if contact.status is ContactStatus.DECIDED:
            raise ProblemError(409, "contact-already-decided", "the contact has a decision")
        if contact.rating is None:
            raise ProblemError(409, "contact-not-rated", "rate the contact before deciding it")
        try:
            decided = ContactDecided(
                contact_id=contact_id,
                origin_event_id=contact.origin_event_id,
                outcome=command.outcome,
                reason=command.reason,
                primary_need=command.primary_need,
                decided_by=user.user_id,
                decided_at=now,
                family_informed=command.family_informed,
                family_not_informed_reason=command.family_not_informed_reason,
            )
            routed = _routing(contact, contact.rating.rag_rating, command, user, now)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"]
            raise ProblemError(422, "decision-incomplete", message) from exc
        subject = contact.person_id
        events = [
            CloudEvent.new(
                tenant=tenant,
                producer=SERVICE,
                subject=subject,
                payload=decided,
                sharing=FEEDBACK_BASIS,
                time=now,
            ),
            *(
                CloudEvent.new(
                    tenant=tenant,
                    producer=SERVICE,
                    subject=subject,
                    payload=p,
                    sharing=REFERRAL_BASIS,
                    time=now,
                )
                for p in routed
            ),
        ]
        decision = Decision(
            contact_id=contact_id,
            outcome=command.outcome,
            reason=command.reason,
            primary_need=command.primary_need,
            decided_by=user.user_id,
            decided_at=now,
            decided_in_time=now <= contact.decide_by,
            routed=tuple(type(p).event_name for p in routed),
            referral_ids=tuple(
                str(getattr(p, "referral_id", None) or getattr(p, "request_id", "")) for p in routed
            ),
            event_ids=tuple(e.id for e in events),
        )
        await uow.contacts.decide(decision)
        await uow.publish(events)
    return decision
