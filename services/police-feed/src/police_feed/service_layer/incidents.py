"""Accepting a police incident: what it means for the hub and for the children's schools."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from hub_agency.basis import agency_basis
from hub_agency.domain import Rejected
from hub_agency.ingest import IngestContext, RecordKind
from hub_agency.people import remember_child
from hub_contracts.envelope import CloudEvent
from hub_contracts.sharing import Purpose

from police_feed.adapters.mongo import (
    CHILD_INCIDENTS,
    NOTIFICATIONS,
    child_incident_document,
    local_authority_code,
    notification_document,
    unknown_schools,
)
from police_feed.domain.encompass import (
    check_notifiable,
    encompass_notification,
    needs_encompass,
)
from police_feed.domain.incidents import PoliceIncident, concern_raised

log = logging.getLogger("police_feed.incidents")


async def apply_incident(incident: PoliceIncident, ctx: IngestContext) -> Sequence[CloudEvent]:
    """Store what the incident means and return the events it implies.

    Per child: a ``child-concern-raised`` for the hub's screening and, after
    domestic abuse, an ``operation-encompass-notified`` for the child's school
    (or the LA), due before the next school day. Refused as a whole, before
    anything is stored, when a school is unknown or a date of birth missing.
    """
    db, session = ctx.tx.db, ctx.tx.session
    check_notifiable(incident)
    urns = {c.school_urn for c in incident.children if c.school_urn is not None}
    if unknown := await unknown_schools(db, session, urns):
        raise Rejected(
            "unknown-school",
            f"school URN(s) {', '.join(unknown)} not in {ctx.tenant}'s school directory",
        )
    la_code: str | None = None
    if needs_encompass(incident) and any(c.not_in_school for c in incident.children):
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
        notice = encompass_notification(incident, index, la_code)
        event = ctx.event(
            notice,
            subject=involved.person_id,
            sharing=agency_basis(ctx.service, Purpose.OPERATION_ENCOMPASS),
        )
        await db[NOTIFICATIONS].insert_one(
            notification_document(
                notice, subject=involved.person_id, event_id=event.id, notified_at=ctx.received_at
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


INCIDENTS = RecordKind(
    "police-incident",
    "incidents",
    PoliceIncident,
    apply_incident,
    "Record a police incident involving children",
)
RECORD_KINDS: tuple[RecordKind[Any], ...] = (INCIDENTS,)
