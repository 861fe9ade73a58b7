"""Answering the hub's enquiries from health's A&E attendances."""

from __future__ import annotations

from hub_agency.enquiries import EnquiryAsSeen
from hub_agency.people import find_child
from hub_contracts.events import InformationHeld, NothingHeld
from hub_messaging.consumer import HandlerContext
from pymongo import DESCENDING

from health_feed.adapters.mongo import ATTENDANCES
from health_feed.domain.concern import attendance_fact

ANSWERED_BY_ROLE = "MASH health liaison"
MAX_FACTS = 100
"""An answer carries at most 100 facts (the contract's bound): the latest ones."""


async def search_attendances(
    enquiry: EnquiryAsSeen, ctx: HandlerContext
) -> InformationHeld | NothingHeld:
    """The child's attendances (by NHS number, or a name and birth date match), else nothing."""
    # health-feed's person ids: the NHS number where it may link on one, else the child's own
    # id (a child sent without a usable NHS number is found by name and date of birth)
    ids = set(await find_child(ctx.db, enquiry.child, ctx.session))
    if enquiry.child.nhs_number:
        ids.add(enquiry.child.nhs_number)
    if not ids:
        return NothingHeld(kind="nothing-held")
    wanted = sorted(ids)
    cursor = (
        ctx.db[ATTENDANCES]
        .find(
            {"$or": [{"nhs_number": {"$in": wanted}}, {"person_id": {"$in": wanted}}]},
            session=ctx.session,
        )
        .sort("arrived_at", DESCENDING)
        .limit(MAX_FACTS)
    )
    facts = [
        attendance_fact(
            str(doc["_id"]),
            doc["setting"],
            doc["arrived_at"],
            doc.get("organisation_name"),
            bool(doc.get("safeguarding_flag")),
        )
        async for doc in cursor
    ]
    if not facts:
        return NothingHeld(kind="nothing-held")
    return InformationHeld(kind="information-held", facts=tuple(facts))
