"""Early help's MongoDB collections (one database per tenant).

- ``episode_state``: each episode's current state (the ingest keeps the raw
  records in ``episodes``, ``episode_closures`` and ``step_up_requests``);
- ``referrals``: referrals and step-down requests received;
- ``teams``: the tenant's early help teams (reference data).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hub_agency.people import ensure_child_indexes
from hub_messaging.documents import Document
from hub_service.app import Database
from pydantic import BaseModel
from pymongo import DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from early_help.domain.episodes import Episode, EpisodeStatus
from early_help.domain.referrals import PERSONAL_FIELDS, ReceivedReferral, ReferralStatus

Session = AsyncClientSession | None
EPISODE_STATE = "episode_state"
REFERRALS = "referrals"
TEAMS = "teams"
COLLECTIONS = (EPISODE_STATE, REFERRALS, TEAMS)


def _document(model: BaseModel, id_field: str) -> Document:
    """JSON-shaped document, keeping top-level times as BSON dates (sortable)."""
    doc = model.model_dump(mode="json")
    for name, value in model:
        if isinstance(value, datetime):
            doc[name] = value
    doc["_id"] = doc.pop(id_field)
    return doc


def _public(doc: Mapping[str, Any], id_field: str) -> Document:
    rest = {k: v for k, v in doc.items() if k != "_id"}
    return {id_field: doc["_id"], **rest}


async def ensure_indexes(db: Database) -> None:
    """Indexes for the lists and lookups of this service (idempotent)."""
    await ensure_child_indexes(db)
    await db[EPISODE_STATE].create_index([("status", 1), ("opened_at", DESCENDING)])
    await db[EPISODE_STATE].create_index("child.agency_person_id")
    await db[REFERRALS].create_index([("status", 1), ("received_at", DESCENDING)])
    await db[REFERRALS].create_index("event_id")
    await db[REFERRALS].create_index("consent_id")


# -- teams ------------------------------------------------------------------------------
async def team_name(db: Database, team_id: str, session: Session = None) -> str | None:
    """The team's name, or None when the tenant has no such team."""
    doc = await db[TEAMS].find_one({"_id": team_id}, session=session)
    return None if doc is None else str(doc.get("name") or team_id)


async def team_names(db: Database, session: Session = None) -> dict[str, str]:
    return {
        str(d["_id"]): str(d.get("name") or d["_id"])
        async for d in db[TEAMS].find({}, session=session)
    }


# -- episodes ---------------------------------------------------------------------------
async def load_episode(db: Database, episode_id: str, session: Session) -> Episode | None:
    doc = await db[EPISODE_STATE].find_one({"_id": episode_id}, session=session)
    return None if doc is None else Episode.model_validate(_public(doc, "episode_id"))


async def add_episode(db: Database, episode: Episode, session: Session) -> None:
    await db[EPISODE_STATE].insert_one(_document(episode, "episode_id"), session=session)


async def save_episode(db: Database, episode: Episode, session: Session) -> None:
    await db[EPISODE_STATE].replace_one(
        {"_id": episode.episode_id}, _document(episode, "episode_id"), session=session
    )


async def episodes_of_children(
    db: Database, person_ids: list[str], session: Session
) -> list[Episode]:
    cursor = (
        db[EPISODE_STATE]
        .find({"child.agency_person_id": {"$in": person_ids}}, session=session)
        .sort("opened_at", DESCENDING)
        .limit(100)
    )
    return [Episode.model_validate(_public(d, "episode_id")) async for d in cursor]


async def list_episodes(db: Database, status: EpisodeStatus | None, limit: int) -> list[Document]:
    query = {} if status is None else {"status": status.value}
    cursor = db[EPISODE_STATE].find(query).sort("opened_at", DESCENDING).limit(limit)
    return [_public(d, "episode_id") async for d in cursor]


# -- referrals --------------------------------------------------------------------------
async def keep_referral(db: Database, referral: ReceivedReferral, session: Session) -> None:
    """Keep a received referral once (a resent one changes nothing)."""
    await db[REFERRALS].update_one(
        {"_id": referral.referral_id},
        {"$setOnInsert": _document(referral, "referral_id")},
        upsert=True,
        session=session,
    )


async def referral_status(db: Database, referral_id: str, session: Session) -> str | None:
    doc = await db[REFERRALS].find_one({"_id": referral_id}, {"status": 1}, session=session)
    return None if doc is None else str(doc["status"])


async def mark_accepted(
    db: Database, referral_id: str, episode_id: str, at: datetime, session: Session
) -> None:
    await db[REFERRALS].update_one(
        {"_id": referral_id, "status": ReferralStatus.AWAITING_ALLOCATION.value},
        {
            "$set": {
                "status": ReferralStatus.ACCEPTED.value,
                "episode_id": episode_id,
                "accepted_at": at,
            }
        },
        session=session,
    )


async def withdraw_consent(
    db: Database, consent_id: str, event_ids: list[str], at: datetime, session: Session
) -> list[str]:
    """Stop relying on referrals shared under ``consent_id``; their details are removed.

    Referrals shared on another basis that quote the consent as the family's
    consent for early help are only flagged: early help holds them on that basis.
    Returns the ids of the referrals whose details were removed.
    """
    under_consent = {"$or": [{"event_id": {"$in": event_ids}}, {"sharing_consent_ref": consent_id}]}
    ids = [
        str(d["_id"]) async for d in db[REFERRALS].find(under_consent, {"_id": 1}, session=session)
    ]
    if ids:
        await db[REFERRALS].update_many(
            {"_id": {"$in": ids}},
            {
                "$set": {
                    "status": ReferralStatus.CONSENT_WITHDRAWN.value,
                    "consent_withdrawn_at": at,
                    "details_removed": True,
                },
                "$unset": dict.fromkeys(PERSONAL_FIELDS, ""),
            },
            session=session,
        )
    await db[REFERRALS].update_many(
        {"consent_id": consent_id, "_id": {"$nin": ids}},
        {"$set": {"consent_withdrawn_at": at}},
        session=session,
    )
    return ids


async def purge_referrals(db: Database, event_ids: list[str], session: Session) -> int:
    """Remove the referrals that arrived in ``event_ids``; returns how many."""
    result = await db[REFERRALS].delete_many({"event_id": {"$in": event_ids}}, session=session)
    return result.deleted_count


async def list_referrals(db: Database, status: ReferralStatus | None, limit: int) -> list[Document]:
    query = {} if status is None else {"status": status.value}
    cursor = db[REFERRALS].find(query).sort("received_at", DESCENDING).limit(limit)
    return [_public(d, "referral_id") async for d in cursor]
