"""Answering the hub's enquiries about a child from education's records."""

from __future__ import annotations

from hub_agency.enquiries import EnquiryAsSeen
from hub_agency.people import find_child
from hub_contracts.events import FactHeld, InformationHeld, NothingHeld
from hub_messaging.consumer import HandlerContext

from education.adapters import mongo
from education.domain.facts import pupil_facts

ANSWERED_BY_ROLE = "MASH education officer"
MAX_FACTS = 100
"""An answer holds at most 100 facts (contract limit)."""


async def search(enquiry: EnquiryAsSeen, ctx: HandlerContext) -> InformationHeld | NothingHeld:
    """Find the pupil by UPN (or names and date of birth) and say what education holds:
    current school and year, SEN provision, attendance concerns and exclusions."""
    upns = await find_child(ctx.db, enquiry.child, ctx.session)
    facts: list[FactHeld] = []
    for upn in upns:
        pupil = await mongo.current_pupil(ctx.db, upn, ctx.session)
        if pupil is None:
            continue
        school = await mongo.school(ctx.db, pupil.school_urn, ctx.session)
        facts += pupil_facts(
            pupil,
            str(school["name"]) if school and school.get("name") else None,
            await mongo.attendance_concerns(ctx.db, upn, ctx.session),
            await mongo.exclusions(ctx.db, upn, ctx.session),
        )
    if not facts:
        return NothingHeld(kind="nothing-held")
    return InformationHeld(kind="information-held", facts=tuple(facts[:MAX_FACTS]))
