"""What accepting each early help record means, and the contract events it implies.

Each ``apply`` runs inside the ingest's transaction: the state change and its
events commit together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from hub_agency.basis import agency_basis
from hub_agency.domain import Rejected
from hub_agency.ingest import IngestContext, RecordKind
from hub_agency.people import remember_child
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import EarlyHelpEpisodeClosed, EarlyHelpEpisodeOpened, StepUpRequested
from hub_contracts.sharing import Purpose

from early_help.adapters import mongo
from early_help.domain.episodes import Episode, episode_or_refuse
from early_help.domain.records import EpisodeClosureRecord, EpisodeRecord, StepUpRequestRecord
from early_help.domain.referrals import ensure_can_be_accepted

log = logging.getLogger("early_help.records")


async def open_episode(record: EpisodeRecord, ctx: IngestContext) -> Sequence[CloudEvent]:
    """Open an episode for a child: in a known team, answering a received referral if any."""
    db, session = ctx.tx.db, ctx.tx.session
    if await mongo.team_name(db, record.team, session) is None:
        raise Rejected("unknown-team", f"no early help team {record.team!r} in this tenant")
    if await mongo.load_episode(db, record.record_id, session) is not None:
        # ingest answers resent records itself; this guards state left without its record
        raise Rejected("episode-exists", f"episode {record.record_id} already exists", status=409)
    if record.referral_id is not None:
        status = await mongo.referral_status(db, record.referral_id, session)
        ensure_can_be_accepted(record.referral_id, status)
        await mongo.mark_accepted(
            db, record.referral_id, record.record_id, ctx.received_at, session
        )
    episode = Episode.open(record)
    await mongo.add_episode(db, episode, session)
    await remember_child(db, session, record.child)
    log.info("episode opened", extra={"episode_id": episode.episode_id, "tenant": ctx.tenant})
    payload = EarlyHelpEpisodeOpened(
        episode_id=episode.episode_id,
        referral_id=episode.referral_id,
        child=episode.child,
        lead_professional_role=episode.lead_professional_role,
        team=episode.team,
        primary_need=episode.primary_need,
        opened_at=episode.opened_at,
    )
    return [
        ctx.event(
            payload,
            subject=episode.child.agency_person_id,
            sharing=agency_basis(ctx.service, Purpose.REFERRAL),
        )
    ]


async def close_episode(record: EpisodeClosureRecord, ctx: IngestContext) -> Sequence[CloudEvent]:
    """Close an open episode."""
    db, session = ctx.tx.db, ctx.tx.session
    episode = episode_or_refuse(
        await mongo.load_episode(db, record.episode_id, session), record.episode_id
    )
    closed = episode.close(record)
    await mongo.save_episode(db, closed, session)
    log.info("episode closed", extra={"episode_id": closed.episode_id, "tenant": ctx.tenant})
    payload = EarlyHelpEpisodeClosed(
        episode_id=closed.episode_id,
        closure_reason=record.closure_reason,
        closure_summary=record.summary,
        closed_by=record.closed_by,
        closed_at=record.closed_at,
    )
    return [
        ctx.event(
            payload,
            subject=closed.child.agency_person_id,
            sharing=agency_basis(ctx.service, Purpose.REFERRAL),
        )
    ]


async def request_step_up(record: StepUpRequestRecord, ctx: IngestContext) -> Sequence[CloudEvent]:
    """Ask social care to take the case, with the child and household from the episode."""
    db, session = ctx.tx.db, ctx.tx.session
    episode = episode_or_refuse(
        await mongo.load_episode(db, record.episode_id, session), record.episode_id
    )
    updated = episode.step_up(record)
    await mongo.save_episode(db, updated, session)
    log.info(
        "step-up requested",
        extra={
            "episode_id": episode.episode_id,
            "request_id": record.record_id,
            "tenant": ctx.tenant,
        },
    )
    payload = StepUpRequested(
        request_id=record.record_id,
        episode_id=episode.episode_id,
        child=episode.child,
        household=episode.household,
        reason=record.reason,
        primary_need=record.primary_need,
        requested_by=record.requested_by,
        requested_at=record.requested_at,
    )
    return [
        ctx.event(
            payload,
            subject=episode.child.agency_person_id,
            sharing=agency_basis(ctx.service, Purpose.REFERRAL),
        )
    ]


EPISODES = RecordKind(
    "episode", "episodes", EpisodeRecord, open_episode, "Open an early help episode"
)
EPISODE_CLOSURES = RecordKind(
    "episode-closure",
    "episode-closures",
    EpisodeClosureRecord,
    close_episode,
    "Close an open early help episode",
)
STEP_UP_REQUESTS = RecordKind(
    "step-up-request",
    "step-up-requests",
    StepUpRequestRecord,
    request_step_up,
    "Ask social care to take a case (step-up)",
)
RECORD_KINDS: tuple[RecordKind[Any], ...] = (EPISODES, EPISODE_CLOSURES, STEP_UP_REQUESTS)
