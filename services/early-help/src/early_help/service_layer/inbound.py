"""What early help does with the events it receives.

Referrals from the hub and step-down requests from social care are kept as
received referrals (awaiting allocation) and in the inbox; contact notices
only go to the inbox. When a consent is withdrawn, referrals shared under it
stop being usable and their details, and the inbox copies, are removed; a
purge by the producer removes early help's copies of the purged events.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from hub_agency.inbox import INBOX, inbox_document, keep_in_inbox
from hub_contracts.events import (
    ContactDecided,
    ContactReceived,
    RecordPurged,
    ReferralToEarlyHelp,
    StepDownRequested,
)
from hub_messaging.consumer import Delivery, Handler, HandlerContext

from early_help.adapters import mongo
from early_help.domain.referrals import ReceivedReferral

log = logging.getLogger("early_help.inbound")


async def referral_received(delivery: Delivery, ctx: HandlerContext) -> None:
    """The hub referred a child to early help: keep it awaiting allocation."""
    event = delivery.event
    referral = ReceivedReferral.from_hub(
        ReferralToEarlyHelp.model_validate(event.data),
        producer=event.producer,
        sharing=event.sharing,
        event_id=event.id,
        received_at=datetime.now(UTC),
    )
    await _keep(referral, delivery, ctx)


async def step_down_received(delivery: Delivery, ctx: HandlerContext) -> None:
    """Social care asked early help to continue support: keep it awaiting allocation."""
    event = delivery.event
    referral = ReceivedReferral.from_step_down(
        StepDownRequested.model_validate(event.data),
        producer=event.producer,
        sharing=event.sharing,
        event_id=event.id,
        received_at=datetime.now(UTC),
    )
    await _keep(referral, delivery, ctx)


async def _keep(referral: ReceivedReferral, delivery: Delivery, ctx: HandlerContext) -> None:
    await mongo.keep_referral(ctx.db, referral, ctx.session)
    await ctx.db[INBOX].insert_one(inbox_document(delivery), session=ctx.session)
    log.info(
        "referral received",
        extra={"referral_id": referral.referral_id, "kind": referral.kind, "tenant": ctx.tenant},
    )


async def consent_withdrawn(consent_id: str, event_ids: list[str], ctx: HandlerContext) -> None:
    """Stop relying on what arrived under a withdrawn consent (``on_consent_withdrawn`` hook)."""
    removed = await mongo.withdraw_consent(
        ctx.db, consent_id, event_ids, datetime.now(UTC), ctx.session
    )
    if event_ids:
        await ctx.db[INBOX].delete_many({"_id": {"$in": event_ids}}, session=ctx.session)
    log.info(
        "consent withdrawn",
        extra={
            "consent_id": consent_id,
            "referrals_removed": len(removed),
            "events": len(event_ids),
            "tenant": ctx.tenant,
        },
    )


async def record_purged(delivery: Delivery, ctx: HandlerContext) -> None:
    """A producer purged records: early help purges its copies of those events too."""
    purge = RecordPurged.model_validate(delivery.event.data)
    event_ids = list(purge.event_ids)
    if not event_ids:
        return
    removed = await mongo.purge_referrals(ctx.db, event_ids, ctx.session)
    await ctx.db[INBOX].delete_many({"_id": {"$in": event_ids}}, session=ctx.session)
    log.info(
        "copies purged",
        extra={"purge_id": purge.purge_id, "referrals_removed": removed, "tenant": ctx.tenant},
    )


HANDLERS: dict[str, Handler] = {
    ReferralToEarlyHelp.event_name: referral_received,
    StepDownRequested.event_name: step_down_received,
    ContactReceived.event_name: keep_in_inbox,
    ContactDecided.event_name: keep_in_inbox,
    RecordPurged.event_name: record_purged,
}
