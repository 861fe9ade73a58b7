"""Operation Encompass handlers: keep each notification for its school, mark it overdue when
the police say so, and record the DSL's acknowledgement with its event in one transaction.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from hub_agency.basis import agency_basis
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import OperationEncompassAcknowledged
from hub_contracts.sharing import Purpose
from hub_messaging.consumer import Delivery, HandlerContext
from hub_service.app import ServiceRuntime, Transaction
from pydantic import AwareDatetime, BaseModel, ConfigDict

from education.adapters import mongo
from education.domain.encompass import (
    Acknowledgement,
    AcknowledgementOutcome,
    AcknowledgementRequest,
    EncompassNotification,
    check_acknowledgement,
)

log = logging.getLogger("education.encompass")
SERVICE = "education"


def _to_millisecond(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds: the time answered now is the time read back later."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class NotificationNotFound(Exception):
    """No notification with that id was sent to this tenant."""


class _OverdueAsSeen(BaseModel):
    """The overdue notice as education may see it (ids and times only)."""

    model_config = ConfigDict(extra="ignore")

    notification_id: str
    school_urn: str | None = None
    notify_by: AwareDatetime
    detected_at: AwareDatetime


async def on_notified(delivery: Delivery, ctx: HandlerContext) -> None:
    """Keep a notification for its school; one for no school of ours stays with the LA."""
    event = delivery.event
    notification_id = str(event.data["notification_id"])
    existing = await mongo.notification(ctx.db, notification_id, ctx.session)
    if existing is not None:
        return  # the police sent the same notification again: the first one stands
    urn = event.data.get("school_urn")
    school_known = bool(urn) and await mongo.school(ctx.db, str(urn), ctx.session) is not None
    notification = EncompassNotification.received(
        event.data,
        school_known=school_known,
        received_at=_to_millisecond(datetime.now(UTC)),
        subject=event.subject,
        event_id=event.id,
        overdue_detected_at=await mongo.overdue_detected_at(ctx.db, notification_id, ctx.session),
    )
    await mongo.save_notification(ctx.db, notification, ctx.session)
    log.info(
        "operation encompass notification kept",
        extra={
            "tenant": ctx.tenant,
            "notification_id": notification_id,
            "status": notification.status.value,
        },
    )


async def on_overdue(delivery: Delivery, ctx: HandlerContext) -> None:
    """The police found no acknowledgement in time: mark the notification overdue."""
    notice = _OverdueAsSeen.model_validate(delivery.event.data)
    detected = await mongo.keep_overdue_notice(
        ctx.db,
        notice.notification_id,
        notice.model_dump(mode="python", exclude={"notification_id"}),
        ctx.session,
    )
    notification = await mongo.notification(ctx.db, notice.notification_id, ctx.session)
    if notification is None or detected is None:
        return  # kept: applied when the notification itself arrives
    await mongo.save_notification(ctx.db, notification.overdue(detected), ctx.session)
    log.info(
        "operation encompass notification overdue",
        extra={"tenant": ctx.tenant, "notification_id": notice.notification_id},
    )


async def acknowledge(
    runtime: ServiceRuntime,
    tenant: str,
    notification_id: str,
    request: AcknowledgementRequest,
    *,
    acknowledged_by: str,
) -> AcknowledgementOutcome:
    """Record the acknowledgement and queue its event together; the first one stands.

    Raises ``NotificationNotFound`` or ``AcknowledgementRefused``. Two
    acknowledgements at once conflict: the loser's transaction is retried
    (boundedly) and finds the winner's.
    """

    async def once(tx: Transaction) -> AcknowledgementOutcome:
        return await _acknowledge_once(tx, tenant, notification_id, request, acknowledged_by)

    outcome = await runtime.run_transaction(tenant, once)
    if outcome.outcome == "acknowledged":
        log.info(
            "operation encompass notification acknowledged",
            extra={"tenant": tenant, "notification_id": notification_id},
        )
    return outcome


async def _acknowledge_once(
    tx: Transaction,
    tenant: str,
    notification_id: str,
    request: AcknowledgementRequest,
    acknowledged_by: str,
) -> AcknowledgementOutcome:
    notification = await mongo.notification(tx.db, notification_id, tx.session)
    if notification is None:
        raise NotificationNotFound(notification_id)
    check_acknowledgement(notification, request)
    if notification.acknowledgement is not None:
        return AcknowledgementOutcome(
            notification_id=notification_id,
            outcome="already-acknowledged",
            acknowledgement=notification.acknowledgement,
        )
    now = _to_millisecond(datetime.now(UTC))
    event = CloudEvent.new(
        tenant=tenant,
        producer=SERVICE,
        subject=notification.subject,
        payload=OperationEncompassAcknowledged(
            notification_id=notification_id,
            acknowledged_at=now,
            acknowledged_by_role=request.acknowledged_by_role,
            school_urn=request.school_urn,
        ),
        sharing=agency_basis(SERVICE, Purpose.OPERATION_ENCOMPASS),
        time=now,
    )
    acknowledgement = Acknowledgement(
        acknowledged_at=now,
        acknowledged_by_role=request.acknowledged_by_role,
        school_urn=request.school_urn,
        acknowledged_by=acknowledged_by,
        event_id=event.id,
    )
    await mongo.save_notification(tx.db, notification.acknowledged(acknowledgement), tx.session)
    await tx.publish([event])
    return AcknowledgementOutcome(
        notification_id=notification_id, outcome="acknowledged", acknowledgement=acknowledgement
    )
