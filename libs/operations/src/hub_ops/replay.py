"""Replaying a dead letter through its recipient's own outbox.

In one transaction on the recipient's database for the tenant, ``hubctl``
queues the record for its source topic in the ``outbox`` (the service's relay
publishes it) and records who replayed it, when and why in
``operations_audit``, both under ``replay|<dlq topic>|<partition>:<offset>``.
The record keeps its headers, minus the ``dlq_*`` ones, plus
``hub_replay_of`` and ``hub_replayed_by``; the recipient's consumer handles it
afresh only if it had dead-lettered that event, so a replay applies once.
A second replay of the same dead letter meets the first one's ``_id`` and
changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from hub_contracts.tenancy import database_name
from hub_messaging.outbox import OUTBOX, OutgoingRecord, ensure_collections, records_row
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from hub_ops.dead_letters import (
    DLQ_HEADER_PREFIX,
    REPLAY_OF,
    REPLAYED_BY,
    DeadLetter,
    replayability,
)

log = logging.getLogger("hub_ops.replay")
Document = dict[str, Any]
AUDIT = "operations_audit"
REPLAY_ACTION = "dlq-replay"


class ReplayStatus(StrEnum):
    REPLAYED = "replayed"
    ALREADY_REPLAYED = "already-replayed"
    REFUSED = "refused"


@dataclass(frozen=True)
class ReplayOutcome:
    """What became of one dead letter asked to be replayed."""

    dead_letter: DeadLetter
    status: ReplayStatus
    why: str
    """Why it is (or is not) replayable, in words for a person."""
    database: str | None = None
    at: datetime | None = None
    """When it was replayed (this time, or the first time)."""
    by: str | None = None


def replay_row_id(dead: DeadLetter) -> str:
    """The outbox row and audit document of a dead letter's replay: one per dead letter."""
    return f"replay|{dead.topic}|{dead.partition}:{dead.offset}"


def replay_record(dead: DeadLetter, by: str) -> OutgoingRecord:
    """The record as it was refused, back on its source topic, saying it is a replay."""
    assert dead.source_topic is not None, "only replayable dead letters are replayed"
    headers = [
        (name, value)
        for name, value in dead.headers
        # a replay of a replay says only which dead letter it comes from now
        if not name.startswith(DLQ_HEADER_PREFIX) and name not in (REPLAY_OF, REPLAYED_BY)
    ]
    headers.append((REPLAY_OF, f"{dead.topic}:{dead.partition}:{dead.offset}".encode()))
    headers.append((REPLAYED_BY, by.encode()))
    return OutgoingRecord(dead.source_topic, dead.key, dead.value, headers)


def audit_document(dead: DeadLetter, *, by: str, note: str | None, at: datetime) -> Document:
    """Who replayed which dead letter, when and why; ids and reasons, never the payload."""
    return {
        "_id": replay_row_id(dead),
        "action": REPLAY_ACTION,
        "at": at,
        "by": by,
        "note": note,
        "tenant": dead.tenant,
        "dlq_topic": dead.topic,
        "dlq_partition": dead.partition,
        "dlq_offset": dead.offset,
        "source_topic": dead.source_topic,
        "source_offset": dead.source_offset,
        "reason": dead.reason,
        "recipient": dead.recipient,
        "event_id": dead.event_id,
        "event_type": dead.event_type,
    }


def check_operator(by: str) -> str:
    """The operator's name for the audit trail: required, one printable line."""
    name = by.strip()
    if not name or not name.isprintable():
        raise ValueError("--by needs the name of the person replaying (one printable line)")
    return name


async def replay_one(
    mongo: AsyncMongoClient[Document],
    dead: DeadLetter,
    *,
    by: str,
    note: str | None = None,
    now: datetime | None = None,
) -> ReplayOutcome:
    """Replay ``dead`` through its recipient's outbox, unless it is not replayable or
    was replayed already."""
    by = check_operator(by)
    verdict = replayability(dead)
    if not verdict.replayable:
        return ReplayOutcome(dead, ReplayStatus.REFUSED, verdict.why)
    assert dead.recipient is not None
    db = mongo[database_name(dead.tenant, dead.recipient)]
    if OUTBOX not in await db.list_collection_names():
        return ReplayOutcome(
            dead,
            ReplayStatus.REFUSED,
            f"database {db.name} has no outbox: is {dead.recipient} deployed for "
            f"{dead.tenant} against this MongoDB (MONGO_URI)?",
            database=db.name,
        )
    await ensure_collections(db, [AUDIT])  # not inside the transaction: that can conflict
    row_id = replay_row_id(dead)
    earlier = await db[AUDIT].find_one({"_id": row_id})
    if earlier is not None:
        return _already(dead, verdict.why, db.name, earlier)
    at = now or datetime.now(UTC)
    audit = audit_document(dead, by=by, note=note, at=at)
    row = records_row(row_id, [replay_record(dead, by)])

    async def write(session: AsyncClientSession) -> None:
        # the audit first: its _id is what makes a second replay change nothing
        await db[AUDIT].insert_one(audit, session=session)
        await db[OUTBOX].insert_one(row, session=session)

    try:
        async with mongo.start_session() as session:
            await session.with_transaction(write)
    except DuplicateKeyError:
        earlier = await db[AUDIT].find_one({"_id": row_id})
        if earlier is None:
            raise
        return _already(dead, verdict.why, db.name, earlier)
    log.info(
        "dead letter replayed",
        extra={"dlq": dead.ref, "recipient": dead.recipient, "event_id": dead.event_id},
    )
    return ReplayOutcome(dead, ReplayStatus.REPLAYED, verdict.why, db.name, at, by)


def _already(dead: DeadLetter, why: str, database: str, earlier: Document) -> ReplayOutcome:
    at = earlier.get("at")
    if isinstance(at, datetime) and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return ReplayOutcome(
        dead,
        ReplayStatus.ALREADY_REPLAYED,
        why,
        database,
        at if isinstance(at, datetime) else None,
        str(earlier.get("by", "?")),
    )
