"""Handlers of what the hub and other agencies send social care.

Referrals and step-up requests wait for a decision; strategy discussion
requests and CP-IS-style access notifications are kept for the duty team;
contact notices and early help episode notices go to the inbox. Each keeps
the event as the policy let social care see it, with its sharing basis.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub_agency.domain import ChildAsSeen
from hub_agency.inbox import inbox_document, keep_in_inbox
from hub_contracts.events import (
    ContactDecided,
    ContactRated,
    ContactReceived,
    EarlyHelpEpisodeClosed,
    EarlyHelpEpisodeOpened,
    RecordAccessed,
    ReferralToSocialCare,
    StepUpRequested,
    StrategyDiscussionRequested,
)
from hub_messaging.consumer import Delivery, Handler, HandlerContext
from hub_messaging.documents import Document

from social_care.adapters import mongo
from social_care.domain.referrals import ReferralKind, ReferralStatus, child_keys


def _received(delivery: Delivery) -> Document:
    """The parts of an inbox document every kept event carries (``_id`` replaced by callers)."""
    doc = inbox_document(delivery)
    doc["event_id"] = doc.pop("_id")
    return doc


def _aware(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _referral_handler(kind: ReferralKind, id_field: str) -> Handler:
    async def handle(delivery: Delivery, ctx: HandlerContext) -> None:
        data = delivery.event.data
        doc = {
            "_id": str(data[id_field]),
            "kind": kind.value,
            "status": ReferralStatus.AWAITING_DECISION.value,
            "child_keys": child_keys(ChildAsSeen.from_data(data.get("child"))),
            **_received(delivery),
        }
        await mongo.keep_once(ctx.db, ctx.session, mongo.REFERRALS, doc)

    return handle


async def keep_strategy_discussion(delivery: Delivery, ctx: HandlerContext) -> None:
    """Keep a strategy discussion request (s47) for the duty team."""
    data = delivery.event.data
    doc = {"_id": str(data["request_id"]), "hold_by": _aware(data.get("hold_by"))}
    await mongo.keep_once(
        ctx.db, ctx.session, mongo.STRATEGY_DISCUSSIONS, {**doc, **_received(delivery)}
    )


async def keep_access_notification(delivery: Delivery, ctx: HandlerContext) -> None:
    """Keep each notice that an unscheduled-care setting viewed a child's flag."""
    data = delivery.event.data
    doc = {
        "_id": str(data["access_id"]),
        "child_nhs_number": data.get("child_nhs_number"),
        "accessed_at": _aware(data.get("accessed_at")),
        **_received(delivery),
    }
    await mongo.keep_once(ctx.db, ctx.session, mongo.ACCESS_NOTIFICATIONS, doc)


HANDLERS: dict[str, Handler] = {
    ReferralToSocialCare.event_name: _referral_handler(ReferralKind.REFERRAL, "referral_id"),
    StepUpRequested.event_name: _referral_handler(ReferralKind.STEP_UP, "request_id"),
    StrategyDiscussionRequested.event_name: keep_strategy_discussion,
    RecordAccessed.event_name: keep_access_notification,
    ContactReceived.event_name: keep_in_inbox,
    ContactRated.event_name: keep_in_inbox,
    ContactDecided.event_name: keep_in_inbox,
    EarlyHelpEpisodeOpened.event_name: keep_in_inbox,
    EarlyHelpEpisodeClosed.event_name: keep_in_inbox,
}
"""Social care's subscriptions (besides enquiries), by event name."""
