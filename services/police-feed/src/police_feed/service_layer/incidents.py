"""Accepting a police incident: what it means for the hub and for the children's schools."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from hub_agency.basis import agency_basis
from hub_agency.ingest import IngestContext, RecordKind
from hub_agency.people import remember_child
from hub_contracts.envelope import CloudEvent
from hub_contracts.sharing import Purpose

from police_feed.adapters.mongo import (
    CHILD_INCIDENTS,
    NOTIFICATIONS,
    child_incident_document,
    held_notification_document,
    local_authority_code,
    notification_document,
    unknown_schools,
)
from police_feed.domain.encompass import EncompassPlan, needs_encompass, plan_notification
from police_feed.domain.incidents import PoliceIncident, concern_raised

log = logging.getLogger("police_feed.incidents")


async def apply_incident(incident: PoliceIncident, ctx: IngestContext) -> Sequence[CloudEvent]:
    """Store what the incident means and return the events it implies.

    Per child: a ``child-concern-raised`` for the hub's screening and, after
    domestic abuse, an ``operation-encompass-notified`` for the child's school
    (or the LA), due before the next school day. Never refused for what a
    notification lacks: a school not in the directory is notified through the
    LA (flagged); a notification without a date of birth is held for the police.
    """
    db, session = ctx.tx.db, ctx.tx.session
    la_code: str | None = None
    known: set[str] = set()
    if needs_encompass(incident):
        urns = {c.school_urn for c in incident.children if c.school_urn is not None}
        known = urns - set(await unknown_schools(db, session, urns))
        if any(c.school_urn is None or c.school_urn not in known for c in incident.children):
            la_code = await local_authority_code(db, session, ctx.tenant)

    events: list[CloudEvent] = []
    for index, involved in enumerate(incident.children):
        await remember_child(db, session, involved.child)
        await db[CHILD_INCIDENTS].replace_one(
            {"_id": f"{incident.record_id}|{involved.person_id}"},
            child_incident_document(incident, involved),
            upsert=True,
            session=session,
        )
        events.append(
            ctx.event(
                concern_raised(incident, involved),
                subject=involved.person_id,
                sharing=agency_basis(ctx.service, Purpose.SAFEGUARDING_SCREENING),
            )
        )
        if not needs_encompass(incident):
            continue
        plan = plan_notification(incident, index, la_code, known)
        if plan.notice is None:
            await _hold(ctx, incident, index, plan)
            continue
        event = ctx.event(
            plan.notice,
            subject=involved.person_id,
            sharing=agency_basis(ctx.service, Purpose.OPERATION_ENCOMPASS),
        )
        await db[NOTIFICATIONS].insert_one(
            notification_document(
                plan.notice,
                subject=involved.person_id,
                event_id=event.id,
                notified_at=ctx.received_at,
                stated_school_urn=plan.stated_school_urn,
                flags=plan.flags,
            ),
            session=session,
        )
        events.append(event)
    log.info(
        "police incident accepted",
        extra={
            "tenant": ctx.tenant,
            "record_id": incident.record_id,
            "incident_kind": incident.incident_kind.value,
            "children": len(incident.children),
            "events": len(events),
        },
    )
    return events


async def _hold(
    ctx: IngestContext, incident: PoliceIncident, index: int, plan: EncompassPlan
) -> None:
    """Keep a notification that could not be sent, with its reason, where police staff see it
    (``GET .../encompass-notifications?status=held``); the concern has gone to the hub."""
    assert plan.held is not None
    involved = incident.children[index]
    await ctx.tx.db[NOTIFICATIONS].insert_one(
        held_notification_document(
            incident,
            index,
            subject=involved.person_id,
            notified_at=ctx.received_at,
            reason=plan.held,
            stated_school_urn=plan.stated_school_urn,
            flags=plan.flags,
        ),
        session=ctx.tx.session,
    )
    log.warning(
        "operation encompass notification held",
        extra={
            "tenant": ctx.tenant,
            "record_id": incident.record_id,
            "child": index,
            "reason": plan.held.reason,
        },
    )


INCIDENTS = RecordKind(
    "police-incident",
    "incidents",
    PoliceIncident,
    apply_incident,
    "Record a police incident involving children",
)
RECORD_KINDS: tuple[RecordKind[Any], ...] = (INCIDENTS,)
