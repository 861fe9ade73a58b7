"""Answering the hub's enquiries: the child's statuses and open referrals, or nothing held."""

from __future__ import annotations

from datetime import UTC, datetime, time

from hub_agency.enquiries import EnquiryAsSeen
from hub_agency.people import find_child
from hub_contracts.events import FactHeld, InformationHeld, NothingHeld
from hub_messaging.consumer import HandlerContext

from social_care.adapters import mongo
from social_care.domain.referrals import (
    ReferralKind,
    ReferralStatus,
    referral_matches,
    referral_summary,
)
from social_care.domain.statuses import status_summary

ANSWERED_BY_ROLE = "MASH social worker"


async def search(enquiry: EnquiryAsSeen, ctx: HandlerContext) -> InformationHeld | NothingHeld:
    """Current and past statuses (never the category of abuse) and referrals awaiting decision."""
    facts: list[FactHeld] = []
    person_ids = await find_child(ctx.db, enquiry.child, ctx.session)
    if person_ids:
        for status in await mongo.statuses_of(ctx.db, person_ids, ctx.session, with_history=True):
            facts.append(
                FactHeld(
                    kind=f"social-care-{status.status_kind.value}",
                    summary=status_summary(status),
                    occurred_at=datetime.combine(status.started_on, time(), tzinfo=UTC),
                    agency_reference=status.case_id,
                )
            )
    child = enquiry.child
    candidates = await mongo.referral_candidates(
        ctx.db,
        ctx.session,
        nhs_number=child.nhs_number,
        upn=child.upn,
        date_of_birth=child.date_of_birth.isoformat() if child.date_of_birth else None,
        status=ReferralStatus.AWAITING_DECISION.value,
    )
    for doc in candidates:
        if not referral_matches(doc["child_keys"], child):
            continue
        received_at: datetime = doc["received_at"]
        facts.append(
            FactHeld(
                kind="open-referral",
                summary=referral_summary(
                    ReferralKind(doc["kind"]), ReferralStatus(doc["status"]), received_at
                ),
                occurred_at=received_at,
                agency_reference=doc["_id"],
            )
        )
    if not facts:
        return NothingHeld(kind="nothing-held")
    return InformationHeld(kind="information-held", facts=tuple(facts[:100]))
