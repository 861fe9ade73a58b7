"""Answering the hub's enquiries from early help's episodes."""

from __future__ import annotations

from hub_agency.enquiries import EnquiryAsSeen
from hub_agency.people import find_child
from hub_contracts.events import FactHeld, InformationHeld, NothingHeld
from hub_messaging.consumer import HandlerContext

from early_help.adapters import mongo
from early_help.domain.episodes import fact_summary

ANSWERED_BY_ROLE = "MASH early help coordinator"


async def search_episodes(
    enquiry: EnquiryAsSeen, ctx: HandlerContext
) -> InformationHeld | NothingHeld:
    """The child's episodes, open or closed, as facts; nothing held otherwise."""
    person_ids = await find_child(ctx.db, enquiry.child, ctx.session)
    episodes = (
        await mongo.episodes_of_children(ctx.db, person_ids, ctx.session) if person_ids else []
    )
    if not episodes:
        return NothingHeld(kind="nothing-held")
    teams = await mongo.team_names(ctx.db, ctx.session)
    return InformationHeld(
        kind="information-held",
        facts=tuple(
            FactHeld(
                kind=f"early-help-episode-{e.status.value}",
                summary=fact_summary(e, teams.get(e.team)),
                occurred_at=e.opened_at,
                agency_reference=e.episode_id,
            )
            for e in episodes
        ),
    )
