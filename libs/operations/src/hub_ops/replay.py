"""Replaying a dead letter: ``hubctl`` publishes it back to its source topic itself.

Kafka's ACLs let a service write only its own topics, so a recipient's relay
could not put a record back on another producer's topic or on an agency's
inbound topic; ``hubctl`` runs as the admin principal (``KafkaSecurity.from_env``)
and publishes the replay with its own idempotent producer (``acks=all``).

Audited first: in the recipient's database for the tenant, an
``operations_audit`` document ``replay|<dlq topic>|<partition>:<offset>``
says who replays which dead letter, when and why, ``status: "pending"``; only
then is the record published, and once Kafka has acknowledged it the document
becomes ``status: "published"`` with ``published_at`` and the record's
``published_offset`` (``partition:offset`` on the source topic). A second
replay meets the first one's ``_id``: if that one was published it changes
nothing; if it is still pending (it died between recording and publishing),
it publishes the same record again and completes it. A record published
twice that way is harmless: consumers drop a duplicate by event id (agency
ingest by record id), and the recipient handles a ``hub_replay_of`` record
afresh only if it had dead-lettered that event.

The record keeps its headers, minus the ``dlq_*`` ones, plus
``hub_replay_of`` and ``hub_replayed_by``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from hub_contracts.tenancy import database_name
from hub_messaging.outbox import OUTBOX, OutgoingRecord, ensure_collections
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from hub_ops.dead_letters import (
    DLQ_HEADER_PREFIX,
    REPLAY_OF,
    REPLAYED_BY,
    DeadLetter,
    Position,
    parse_position,
    replayability,
)

log = logging.getLogger("hub_ops.replay")
Document = dict[str, Any]
AUDIT = "operations_audit"
REPLAY_ACTION = "dlq-replay"
PENDING = "pending"
PUBLISHED = "published"
PUBLISH_TIMEOUT_S = 60.0
"""How long a replay waits for Kafka to acknowledge the record."""


class ReplayStatus(StrEnum):
    REPLAYED = "replayed"
    COMPLETED = "completed"
    """An earlier replay had been recorded but not published: published now."""
    ALREADY_REPLAYED = "already-replayed"
    REFUSED = "refused"


class ReplayIncomplete(RuntimeError):
    """A replay recorded as pending could not be published, or its publication recorded;
    running the same replay again completes it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.done: list[ReplayOutcome] = []
        """What became of the dead letters before it in the range (set by the caller)."""


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
    """Who replayed it (for a completed replay: who started it)."""
    published: Position | None = None
    """Where the record landed on its source topic (this time; or the first time)."""
    published_by: str | None = None
    """Who published it this time (for a completed replay: who completed it)."""


def replay_row_id(dead: DeadLetter) -> str:
    """The audit document of a dead letter's replay: one per dead letter."""
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
    producer: AIOKafkaProducer,
    dead: DeadLetter,
    *,
    by: str,
    note: str | None = None,
    now: datetime | None = None,
) -> ReplayOutcome:
    """Replay ``dead``: audit it in its recipient's database, publish it to its source
    topic with ``producer`` (started, the admin's, idempotent, ``acks="all"``), then
    record where it landed; unless it is not replayable or was replayed already.
    ``ReplayIncomplete`` when it was recorded but could not be published."""
    by = check_operator(by)
    verdict = replayability(dead)
    if not verdict.replayable:
        return ReplayOutcome(dead, ReplayStatus.REFUSED, verdict.why)
    assert dead.recipient is not None
    db = mongo[database_name(dead.tenant, dead.recipient)]
    if OUTBOX not in await db.list_collection_names():
        # the service creates its outbox at start-up: without one, this is not its database
        return ReplayOutcome(
            dead,
            ReplayStatus.REFUSED,
            f"database {db.name} has no outbox: is {dead.recipient} deployed for "
            f"{dead.tenant} against this MongoDB (MONGO_URI)?",
            database=db.name,
        )
    await ensure_collections(db, [AUDIT])
    at = now or datetime.now(UTC)
    audit = {**audit_document(dead, by=by, note=note, at=at), "status": PENDING}
    earlier = None
    try:
        # recorded before it is published: its _id is what makes a second replay change nothing
        await db[AUDIT].insert_one(audit)
    except DuplicateKeyError:
        earlier = await db[AUDIT].find_one({"_id": replay_row_id(dead)})
        if earlier is None:
            raise
    if earlier is None:
        published = await _publish(producer, db, dead, by, by)
        log.info(
            "dead letter replayed",
            extra={"dlq": dead.ref, "recipient": dead.recipient, "event_id": dead.event_id},
        )
        return ReplayOutcome(
            dead, ReplayStatus.REPLAYED, verdict.why, db.name, at, by, published, by
        )
    if earlier.get("status") != PENDING:
        # published (or, without a status, queued in an outbox before hubctl published)
        return _already(dead, verdict.why, db.name, earlier)
    # an earlier replay died between recording and publishing: the same record again
    first_by = str(earlier.get("by") or by)
    published = await _publish(producer, db, dead, first_by, by)
    log.info(
        "earlier dead letter replay completed",
        extra={"dlq": dead.ref, "recipient": dead.recipient, "event_id": dead.event_id},
    )
    return ReplayOutcome(
        dead,
        ReplayStatus.COMPLETED,
        verdict.why,
        db.name,
        _aware(earlier.get("at")),
        first_by,
        published,
        by,
    )


async def _publish(
    producer: AIOKafkaProducer,
    db: AsyncDatabase[Document],
    dead: DeadLetter,
    replayed_by: str,
    publisher: str,
) -> Position:
    """Publish the replay of ``dead`` (saying ``replayed_by`` replayed it), wait for Kafka's
    acknowledgement, then mark its audit document published (by ``publisher``)."""
    record = replay_record(dead, replayed_by)
    row_id = replay_row_id(dead)
    try:
        sent = await asyncio.wait_for(
            producer.send_and_wait(
                record.topic, value=record.value, key=record.key, headers=record.headers
            ),
            PUBLISH_TIMEOUT_S,
        )
    except (KafkaError, TimeoutError) as exc:
        raise ReplayIncomplete(
            f"could not publish the replay of {dead.ref} to {record.topic} "
            f"({type(exc).__name__}: {exc}); it is recorded as pending in "
            f"{db.name}.{AUDIT}: run the same replay again to complete it"
        ) from exc
    landed = Position(sent.partition, sent.offset)
    publication = {
        "published_at": datetime.now(UTC),
        "published_offset": str(landed),
        "published_by": publisher,
    }
    try:
        marked = await db[AUDIT].update_one(
            {"_id": row_id, "status": PENDING}, {"$set": {"status": PUBLISHED, **publication}}
        )
        if marked.modified_count == 0:
            # another operator completed it meanwhile: this publication is kept too
            await db[AUDIT].update_one({"_id": row_id}, {"$push": {"republished": publication}})
    except PyMongoError as exc:
        raise ReplayIncomplete(
            f"published the replay of {dead.ref} to {record.topic} at {landed}, but could not "
            f"record it in {db.name}.{AUDIT} ({type(exc).__name__}: {exc}); it stays pending: "
            "run the same replay again to record it (it publishes once more; consumers drop "
            "the duplicate)"
        ) from exc
    return landed


def _aware(moment: object) -> datetime | None:
    if not isinstance(moment, datetime):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _already(dead: DeadLetter, why: str, database: str, earlier: Document) -> ReplayOutcome:
    offset = earlier.get("published_offset")
    published = None
    if isinstance(offset, str):
        try:
            published = parse_position(offset)
        except ValueError:
            published = None
    return ReplayOutcome(
        dead,
        ReplayStatus.ALREADY_REPLAYED,
        why,
        database,
        _aware(earlier.get("at")),
        str(earlier.get("by", "?")),
        published,
        None if earlier.get("published_by") is None else str(earlier["published_by"]),
    )
