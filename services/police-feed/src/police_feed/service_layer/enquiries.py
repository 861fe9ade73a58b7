"""Answering the hub's enquiries from the police's incidents (the MASH police researcher)."""

from __future__ import annotations

import logging

from hub_agency.enquiries import EnquiryAsSeen, NotSharedDecision
from hub_agency.people import find_child
from hub_contracts.events import InformationHeld, NothingHeld, NotShared
from hub_contracts.events.records import NotSharedReason
from hub_messaging.consumer import HandlerContext

from police_feed.adapters.mongo import CHILD_INCIDENTS
from police_feed.domain.incidents import PoliceIncident, fact_held
from police_feed.service_layer.incidents import INCIDENTS

log = logging.getLogger("police_feed.enquiries")
ANSWERED_BY_ROLE = "MASH police researcher"
MAX_FACTS = 100

PREJUDICE_INVESTIGATION = NotSharedDecision(
    NotShared(
        kind="not-shared",
        reason="Disclosure would prejudice an ongoing criminal investigation.",
        decided_by="role:police-disclosure-officer",
    ),
    NotSharedReason.PREJUDICE_INVESTIGATION,
)


async def search_incidents(
    enquiry: EnquiryAsSeen, ctx: HandlerContext
) -> InformationHeld | NothingHeld | NotSharedDecision:
    """One fact per incident involving the child; nothing at all while one is sensitive."""
    person_ids = await find_child(ctx.db, enquiry.child, ctx.session)
    if not person_ids:
        return NothingHeld(kind="nothing-held")
    rows = await (
        ctx.db[CHILD_INCIDENTS]
        .find({"person_id": {"$in": person_ids}}, session=ctx.session)
        .to_list()
    )
    record_ids = sorted({str(r["record_id"]) for r in rows})
    docs = (
        await ctx.db[INCIDENTS.collection]
        .find({"_id": {"$in": record_ids}}, session=ctx.session)
        .to_list()
    )
    incidents = [PoliceIncident.model_validate(d["record"]) for d in docs]
    if any(i.sensitive for i in incidents):
        log.info(
            "enquiry not answered: an incident is under investigation",
            extra={"tenant": ctx.tenant, "enquiry_id": enquiry.enquiry_id},
        )
        return PREJUDICE_INVESTIGATION
    incidents.sort(key=lambda i: i.occurred_at, reverse=True)
    facts = [
        fact_held(incident, involved)
        for incident in incidents
        for involved in incident.children
        if involved.person_id in person_ids
    ]
    if not facts:
        return NothingHeld(kind="nothing-held")
    return InformationHeld(kind="information-held", facts=tuple(facts[:MAX_FACTS]))
