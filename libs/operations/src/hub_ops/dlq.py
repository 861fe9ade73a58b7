"""``hubctl dlq``: list, show and replay dead letters.

Importable async functions, called by the command line and by tests alike.
"""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaProducer
from hub_contracts.tenancy import validate_tenant_id
from hub_messaging.kafka_security import kafka_options
from pymongo import AsyncMongoClient

from hub_ops.dead_letters import DeadLetter, Position, select
from hub_ops.reader import READ_TIMEOUT_S, read_dead_letters, read_range
from hub_ops.replay import ReplayIncomplete, ReplayOutcome, check_operator, replay_one

MONGO_TIMEOUT_MS = 10_000


async def list_dead_letters(
    bootstrap: str,
    *,
    tenant: str | None = None,
    reason: str | None = None,
    topic: str | None = None,
    timeout_s: float = READ_TIMEOUT_S,
) -> list[DeadLetter]:
    """Every dead letter (of ``tenant``, with ``reason``, on ``topic``), in topic order."""
    if tenant is not None:
        validate_tenant_id(tenant)
    found = await read_dead_letters(bootstrap, tenant=tenant, topic=topic, timeout_s=timeout_s)
    return select(found, reason=reason)


async def show_dead_letter(
    bootstrap: str, topic: str, position: Position, *, timeout_s: float = READ_TIMEOUT_S
) -> DeadLetter:
    """The dead letter at ``position`` on ``topic`` (``DeadLetterNotFound`` if none)."""
    return (await read_range(bootstrap, topic, position, timeout_s=timeout_s))[0]


async def replay_dead_letters(
    bootstrap: str,
    mongo_uri: str,
    topic: str,
    start: Position,
    *,
    to: int | None = None,
    by: str,
    note: str | None = None,
    timeout_s: float = READ_TIMEOUT_S,
) -> list[ReplayOutcome]:
    """Replay the dead letter at ``start``, or each from there to offset ``to`` on that
    partition: replayable ones published back to their source topic, audited in their
    recipient's database, once each; the others are refused with the reason.

    Publishes as the principal of the ``KAFKA_*`` security variables, which must be
    the admin: a service may write only its own topics. ``ReplayIncomplete`` (with the
    outcomes before it in ``done``) when a replay was recorded but not published."""
    by = check_operator(by)
    dead_letters = await read_range(bootstrap, topic, start, to, timeout_s=timeout_s)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_uri, appname="hubctl", tz_aware=True, serverSelectionTimeoutMS=MONGO_TIMEOUT_MS
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id="hubctl",
        acks="all",
        enable_idempotence=True,
        **kafka_options(),
    )
    outcomes: list[ReplayOutcome] = []
    try:
        await producer.start()
        for dead in dead_letters:
            outcomes.append(await replay_one(mongo, producer, dead, by=by, note=note))
    except ReplayIncomplete as exc:
        exc.done = outcomes
        raise
    finally:
        await producer.stop()
        await mongo.close()
    return outcomes
